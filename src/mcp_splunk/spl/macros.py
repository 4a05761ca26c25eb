"""Locate backtick macro calls (expansion itself needs macro definitions, so it lives in the engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mcp_splunk.spl.errors import SplSyntaxError
from mcp_splunk.spl.lexer import blank_comments, string_end

_CALL_RE: Final = re.compile(r"\s*([\w.:-]+)\s*(?:\((.*)\))?\s*", re.DOTALL)
_SPECIAL_RE: Final = re.compile(r'["`]')
_ARG_SPECIAL_RE: Final = re.compile(r'[",]')


@dataclass(frozen=True, slots=True)
class MacroCall:
    name: str
    args: tuple[str, ...]  # verbatim and stripped: quotes stay, as splunkd substitutes them textually
    start: int  # index of the opening backtick
    end: int  # index just past the closing backtick


def find_macro_calls(text: str) -> list[MacroCall]:
    """Every `` `name` `` and `` `name(a, "b c")` `` call outside quoted strings and comments."""
    code = blank_comments(text)
    calls: list[MacroCall] = []
    pos = 0
    while (match := _SPECIAL_RE.search(code, pos)) is not None:
        pos = match.start()
        if match.group() == '"':
            pos = string_end(code, pos)
            continue
        close = code.find("`", pos + 1)
        if close < 0:
            raise SplSyntaxError("Error in 'SearchParser': Unbalanced backticks in a macro call.", pos)
        call = _CALL_RE.fullmatch(code, pos + 1, close)
        if call is None:
            raise SplSyntaxError(f"Error in 'SearchParser': Invalid macro call '{code[pos : close + 1]}'.", pos)
        args = () if call.group(2) is None else _split_args(call.group(2), call.start(2))
        calls.append(MacroCall(call.group(1), args, pos, close + 1))
        pos = close + 1
    return calls


def _split_args(text: str, offset: int) -> tuple[str, ...]:
    if not text.strip():
        return ()
    args: list[str] = []
    start = pos = 0
    while (match := _ARG_SPECIAL_RE.search(text, pos)) is not None:
        pos = match.start()
        if match.group() == '"':
            try:
                pos = string_end(text, pos)
            except SplSyntaxError as exc:
                raise SplSyntaxError(exc.message, offset + pos) from None
            continue
        args.append(text[start:pos].strip())
        pos += 1
        start = pos
    args.append(text[start:].strip())
    return tuple(args)
