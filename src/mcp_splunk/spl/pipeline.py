"""Split SPL text into commands and subsearches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mcp_splunk.spl.errors import SplSyntaxError
from mcp_splunk.spl.lexer import blank_comments, bracket_end, string_end

_COMMAND_NAME_RE: Final = re.compile(r'[^\s"\[\]()=,|<>!`]+')
_SPECIAL_RE: Final = re.compile(r'["`\[\]|]')
_NON_SPACE_RE: Final = re.compile(r"\S")
MAX_DEPTH: Final = 64  # subsearch nesting; deeper text is refused rather than recursed into


@dataclass(frozen=True, slots=True)
class CommandSyntax:
    name: str  # lower-cased; "search" for the implicit leading search
    args: str  # raw argument text, stripped; comments are blanked to spaces
    offset: int  # index of the command in the text given to parse_pipeline
    end: int  # index just past its last non-space character (where a command appended after it would go)
    subsearches: tuple[PipelineSyntax, ...]  # every top-level [...] group inside args, in order


@dataclass(frozen=True, slots=True)
class PipelineSyntax:
    commands: tuple[CommandSyntax, ...]
    leading_pipe: bool  # the text started with "|": a generating command comes first


def parse_pipeline(text: str) -> PipelineSyntax:
    """Parse SPL text (comments allowed) into its pipeline; raises ``SplSyntaxError`` on malformed text."""
    code = blank_comments(text)
    return _parse(code, 0, len(code), 0)


def _parse(code: str, start: int, end: int, depth: int) -> PipelineSyntax:
    if depth > MAX_DEPTH:
        raise SplSyntaxError(f"Error in 'SearchParser': Subsearches nest deeper than {MAX_DEPTH} levels.", start)
    first = _NON_SPACE_RE.search(code, start, end)
    if first is None:
        raise SplSyntaxError("Error in 'SearchParser': Empty search.", start)
    leading_pipe = code[first.start()] == "|"
    segments = _split(code, first.start() + 1 if leading_pipe else first.start(), end)
    commands = [
        _command(code, seg_start, seg_end, groups, depth, implicit=index == 0 and not leading_pipe)
        for index, (seg_start, seg_end, groups) in enumerate(segments)
    ]
    return PipelineSyntax(tuple(commands), leading_pipe)


def _split(code: str, start: int, end: int) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Top-level ``|``-separated segments, each with the spans of its top-level ``[...]`` groups."""
    segments: list[tuple[int, int, list[tuple[int, int]]]] = []
    groups: list[tuple[int, int]] = []
    seg_start = pos = start
    while (match := _SPECIAL_RE.search(code, pos, end)) is not None:
        pos = match.start()
        char = match.group()
        if char == '"':
            pos = string_end(code, pos, end)
        elif char == "`":  # a macro call is opaque: "|" inside its arguments does not split
            close = code.find("`", pos + 1, end)
            if close < 0:
                raise SplSyntaxError("Error in 'SearchParser': Unbalanced backticks in a macro call.", pos)
            pos = close + 1
        elif char == "[":
            group_end = bracket_end(code, pos, end)
            groups.append((pos, group_end))
            pos = group_end
        elif char == "]":
            raise SplSyntaxError("Error in 'SearchParser': Mismatched ']'.", pos)
        else:
            segments.append((seg_start, pos, groups))
            groups = []
            pos += 1
            seg_start = pos
    segments.append((seg_start, end, groups))
    return segments


def _command(
    code: str, start: int, end: int, groups: list[tuple[int, int]], depth: int, *, implicit: bool
) -> CommandSyntax:
    first = _NON_SPACE_RE.search(code, start, end)
    if first is None:
        where = "before" if end < len(code) and code[end] == "|" else "after"
        position = end if where == "before" else start - 1
        raise SplSyntaxError(
            f"Error in 'SearchParser': Missing a search command {where} '|'. "
            f"Error at position '{position}' of search query '{code.strip()}'.",
            start,
        )
    offset = first.start()
    name_match = _COMMAND_NAME_RE.match(code, offset, end)
    name = name_match.group().lower() if name_match is not None else ""
    if implicit and name != "search":
        name, args_start = "search", offset
    elif code[offset] == "`":
        # A macro call where a command goes (``| `my_macro(5)` ``): its expansion is the command. The name keeps
        # the backticks, so it can never be mistaken for a real command name.
        args_start = code.index("`", offset + 1) + 1  # _split has checked the backticks balance
        name = code[offset:args_start]
    elif name_match is None:
        raise SplSyntaxError(f"Error in 'SearchParser': Missing a search command before '{code[offset]}'.", offset)
    else:
        args_start = name_match.end()
    subsearches = tuple(_parse(code, g_start + 1, g_end - 1, depth + 1) for g_start, g_end in groups)
    stop = start + len(code[start:end].rstrip())
    return CommandSyntax(name, code[args_start:end].strip(), offset, stop, subsearches)
