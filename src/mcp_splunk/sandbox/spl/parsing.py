"""``parse_search``: from the text splunkd receives to validated command objects."""

from __future__ import annotations

import re
from typing import Final

from mcp_splunk.sandbox.spl.commands import REGISTRY, Command, CommandInput, ParsedSearch
from mcp_splunk.sandbox.spl.context import SearchContext
from mcp_splunk.sandbox.spl.errors import SplError, UnknownCommandError, command_error
from mcp_splunk.sandbox.spl.macros import expand_macros
from mcp_splunk.spl import (
    CommandSyntax,
    PipelineSyntax,
    SplSyntaxError,
    parse_pipeline,
    strip_comments,
    tokenize,
)

_FIRST_WORD_RE: Final = re.compile(r'[^\s=|"\[\]()<>!,]+')
_NESTED_TOO_DEEPLY: Final = "Error in 'SearchParser': The search is nested too deeply."


def parse_search(query: str, ctx: SearchContext | None = None) -> ParsedSearch:
    """Parse and validate a search; raises SplError (UnknownCommandError for an unknown command)."""
    try:
        text = expand_macros(strip_comments(query), ctx)
        _require_search_start(text)
        syntax = parse_pipeline(text)
        return _build(text, syntax)
    except SplSyntaxError as exc:
        raise SplError(exc.message) from None
    except RecursionError:
        # Thousands of nested parentheses or brackets: refuse the search rather than fail the request.
        raise SplError(_NESTED_TOO_DEEPLY) from None


def _require_search_start(text: str) -> None:
    """Like splunkd, the search parameter must start with "search" or "|" (clients add the former)."""
    stripped = text.lstrip()
    if not stripped or stripped.startswith("|"):
        return
    word = _FIRST_WORD_RE.match(stripped)
    name = word.group() if word is not None else stripped.split(maxsplit=1)[0]
    if name.lower() != "search":
        raise UnknownCommandError(name)


def _source(syntax: PipelineSyntax) -> str:
    text = " | ".join(f"{command.name} {command.args}".strip() for command in syntax.commands)
    return f"| {text}" if syntax.leading_pipe else text


def _build(text: str, syntax: PipelineSyntax) -> ParsedSearch:
    for command in syntax.commands:  # unknown commands are reported before any argument error
        if command.name not in REGISTRY:
            raise UnknownCommandError(command.name)
    commands = [_command(position, command) for position, command in enumerate(syntax.commands)]
    return ParsedSearch(text, syntax, commands)


def _command(position: int, syntax: CommandSyntax) -> Command:
    cls = REGISTRY[syntax.name]
    if cls.generating and position > 0:
        raise command_error(syntax.name, "This command must be the first command of a search")
    subsearches = [_build(_source(sub), sub) for sub in syntax.subsearches]
    return cls(CommandInput(syntax.name, syntax.args, tokenize(syntax.args), subsearches))
