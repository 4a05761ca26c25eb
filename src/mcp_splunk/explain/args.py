"""Reading a walked command: its text as written, its options, the names it lists, the functions it calls."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from mcp_splunk.policy.fields import field_name, name_tokens
from mcp_splunk.policy.walker import Command, named_arguments
from mcp_splunk.spl import OP, STRING, SUBSEARCH, WORD, Token
from mcp_splunk.spl.lexer import blank_comments, bracket_end, string_end

SPL_CHARS: Final = 160  # how much of a command's text a step shows
_SPACE_RE: Final = re.compile(r"\s+")
_NESTED_RE: Final = re.compile(r'["\[]')


def clip(text: str, limit: int = SPL_CHARS) -> str:
    flat = _SPACE_RE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def written(query: str, command: Command) -> str:
    """The command as the query wrote it (nested searches shown as ``[...]``); rebuilt from its tokens where the
    walk has no exact span (the target parser's expansion, ``map`` search strings)."""
    if command.offset is None or command.end is None:
        return clip(f"{command.name} {render(command.tokens)}")
    code = blank_comments(query[command.offset : command.end])
    pos = 0
    while (match := _NESTED_RE.search(code, pos)) is not None:
        start = match.start()
        if match.group() == '"':
            pos = string_end(code, start)
            continue
        code = code[:start] + "[...]" + code[bracket_end(code, start) :]
        pos = start + len("[...]")
    return clip(code)


def arguments(spl: str, name: str) -> str:
    """A command's written text without its name (an implicit search has none to drop)."""
    head, _, rest = spl.partition(" ")
    return rest if head.lower() == name else spl


def render(tokens: Sequence[Token]) -> str:
    """Tokens back as text: quoted strings re-quoted, nested searches as ``[...]``, adjacent tokens kept joined."""
    out: list[str] = []
    previous_end: int | None = None
    for token in tokens:
        if token.kind == STRING:  # the lexer unescaped only \" (and \\), so a regex's \d reads as written
            text = '"' + token.value.replace('"', '\\"') + '"'
        elif token.kind == SUBSEARCH:
            text = "[...]"
        else:
            text = token.value
        out.append(text if previous_end == token.offset or previous_end is None else " " + text)
        previous_end = token.end
    return "".join(out)


def option(tokens: Sequence[Token], name: str) -> str | None:
    """The value of the last ``name=value`` argument."""
    values = [value.value for value in named_arguments(tokens, name) if value is not None]
    return values[-1] if values else None


def names(tokens: Sequence[Token]) -> list[str]:
    """The names a command lists, outside ``option=value`` pairs and commas."""
    return [field_name(token) for token in name_tokens(tokens)]


def is_option_token(tokens: Sequence[Token], index: int) -> bool:
    """``tokens[index]`` is the name or the value of an ``option=value`` pair."""
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    before = tokens[index - 1] if index > 0 else None
    return (after is not None and after.value == "=") or (before is not None and before.value == "=")


def join_keys(tokens: Sequence[Token]) -> list[str]:
    """The key fields of a ``join``: its words outside options (its subsearch is a token of its own)."""
    return [
        field_name(token)
        for index, token in enumerate(tokens)
        if token.kind in (WORD, STRING) and not is_option_token(tokens, index)
    ]


def is_word(token: Token, *values: str) -> bool:
    return token.kind == WORD and token.value.lower() in values


def split_at(tokens: Sequence[Token], *keywords: str) -> tuple[list[Token], list[Token]]:
    """The tokens before the first of ``keywords`` (a bare word, any case) and those after it."""
    for index, token in enumerate(tokens):
        if is_word(token, *keywords):
            return list(tokens[:index]), list(tokens[index + 1 :])
    return list(tokens), []


@dataclass(frozen=True, slots=True)
class Call:
    """One aggregation of a stats-like command: ``count``, ``dc(host)``, ``max(_time) AS last``."""

    function: str  # lower-cased
    argument: str | None  # the single field it reads, when it reads one plain field
    text: str  # as written, alias included


def calls(tokens: Sequence[Token]) -> list[Call] | None:
    """The aggregations of a stats-like argument list (before ``by``); None if it holds anything else."""
    result: list[Call] = []
    index = 0
    while index < len(tokens):
        token, start = tokens[index], index
        if token.kind == OP and token.value == ",":
            index += 1
            continue
        if token.kind != WORD:
            return None
        following = tokens[index + 1 : index + 4]
        if len(following) == 3 and following[0].value == "(" and following[2].value == ")":
            call = Call(token.value.lower(), field_name(following[1]), render(tokens[index : index + 4]))
            index += 4
        elif following and following[0].kind == OP:
            return None  # an option, or a nested expression such as count(eval(...))
        else:
            call = Call(token.value.lower(), None, token.value)
            index += 1
        if index + 1 < len(tokens) and is_word(tokens[index], "as"):
            call = Call(call.function, call.argument, render(tokens[start : index + 2]))
            index += 2
        result.append(call)
    return result
