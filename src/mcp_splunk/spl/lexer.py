"""Character-level scanning shared by the pipeline splitter, the macro finder and command-argument tokenizing.

Every function here is total over arbitrary text: malformed input raises ``SplSyntaxError`` and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mcp_splunk.spl.errors import UNBALANCED_QUOTES, SplSyntaxError

WORD: Final = "WORD"
STRING: Final = "STRING"
OP: Final = "OP"
SUBSEARCH: Final = "SUBSEARCH"  # value is the text between the brackets

# A backslash escapes any character for *scanning*; only \" and \\ are unescaped in the value, so regexes
# such as "\d+" reach rex untouched (as in splunkd).
_STRING_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_UNESCAPE_RE: Final = re.compile(r'\\(["\\])')
_COMMENT_OR_QUOTE_RE: Final = re.compile(r'```|"')
_OP_RE: Final = re.compile(r"==|!=|<=|>=|[=<>(),|]")
_WORD_RE: Final = re.compile(r'(?:[^\s"=<>(),|\[\]!]|!(?!=))+')
_NON_SPACE_RE: Final = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str
    offset: int
    end: int  # index just past the token, so callers can tell adjacent tokens (``a=b``) from spaced ones


def string_end(text: str, pos: int, endpos: int | None = None) -> int:
    """Index just past the double-quoted string starting at ``text[pos]``."""
    match = _STRING_RE.match(text, pos, len(text) if endpos is None else endpos)
    if match is None:
        raise SplSyntaxError(UNBALANCED_QUOTES, pos)
    return match.end()


def unquote(literal: str) -> str:
    """The value of a double-quoted literal (quotes included in ``literal``)."""
    return _UNESCAPE_RE.sub(r"\1", literal[1:-1])


def bracket_end(text: str, pos: int, endpos: int | None = None) -> int:
    """Index just past the ``]`` matching the ``[`` at ``text[pos]`` (quotes respected, any nesting depth)."""
    end = len(text) if endpos is None else endpos
    depth = 0
    i = pos
    while i < end:
        char = text[i]
        if char == '"':
            i = string_end(text, i, end)
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise SplSyntaxError("Error in 'SearchParser': Missing a closing bracket ']' for a subsearch.", pos)


def _comment_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    while (match := _COMMENT_OR_QUOTE_RE.search(text, pos)) is not None:
        if match.group() == '"':
            string = _STRING_RE.match(text, match.start())
            if string is None:  # the splitter reports the unbalanced quote with its own message
                break
            pos = string.end()
            continue
        close = text.find("```", match.end())
        if close < 0:
            raise SplSyntaxError("Error in 'SearchParser': Unterminated comment: missing closing '```'.", match.start())
        spans.append((match.start(), close + 3))
        pos = close + 3
    return spans


def blank_comments(text: str) -> str:
    """``text`` with every ```comment``` replaced by spaces of the same length, so offsets stay valid."""
    spans = _comment_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(" " * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def strip_comments(text: str) -> str:
    """``text`` with every ```comment``` replaced by one space, as splunkd's search processor does."""
    spans = _comment_spans(text)
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(" ")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def tokenize(args: str) -> list[Token]:
    """Split command arguments into WORD, STRING (unescaped value), OP and SUBSEARCH tokens."""
    tokens: list[Token] = []
    pos = _skip_space(args, 0)
    end = len(args)
    while pos < end:
        char = args[pos]
        if char == '"':
            stop = string_end(args, pos)
            tokens.append(Token(STRING, unquote(args[pos:stop]), pos, stop))
        elif char == "[":
            stop = bracket_end(args, pos)
            tokens.append(Token(SUBSEARCH, args[pos + 1 : stop - 1], pos, stop))
        elif char == "]":
            raise SplSyntaxError("Error in 'SearchParser': Mismatched ']'.", pos)
        elif (op := _OP_RE.match(args, pos)) is not None:
            stop = op.end()
            tokens.append(Token(OP, op.group(), pos, stop))
        else:
            word = _WORD_RE.match(args, pos)
            stop = word.end() if word is not None else pos + 1  # defensive: always make progress
            tokens.append(Token(WORD, args[pos:stop], pos, stop))
        pos = _skip_space(args, stop)
    return tokens


def _skip_space(text: str, pos: int) -> int:
    match = _NON_SPACE_RE.search(text, pos)
    return len(text) if match is None else match.start()
