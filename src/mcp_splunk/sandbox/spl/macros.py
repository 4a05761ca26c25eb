"""Macro expansion through the search context (finding the calls is the syntax package's job)."""

from __future__ import annotations

from typing import Final

from mcp_splunk.sandbox.spl.context import SearchContext
from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.spl import find_macro_calls, strip_comments

MAX_DEPTH: Final = 50
MAX_LENGTH: Final = 1_000_000  # guards against macros that grow exponentially


def expand_macros(text: str, ctx: SearchContext | None, depth: int = 0) -> str:
    """``text`` with every `` `macro` `` call replaced by its definition, recursively."""
    calls = find_macro_calls(text)
    if not calls:
        return text
    if depth >= MAX_DEPTH:
        raise SplError(
            f"Error in 'SearchParser': Reached maximum recursion depth ({MAX_DEPTH}) while expanding macros. "
            "Check for infinitely recursive macro definitions."
        )
    parts: list[str] = []
    position = 0
    for call in calls:
        definition = ctx.macro(call.name, len(call.args)) if ctx is not None else None
        if definition is None:
            label = f"{call.name}({len(call.args)})" if call.args else call.name
            raise SplError(
                f"Error in 'SearchParser': The search specifies a macro '{label}' that cannot be found. "
                'Reasons include: the macro name is misspelled, you do not have "read" permission for '
                "the macro, or the macro has not been shared with this application. "
                "Click Settings, Advanced search, Search Macros to view macro information."
            )
        body = definition.definition
        for name, value in zip(definition.args, call.args, strict=False):
            body = body.replace(f"${name}$", value)
        parts.append(text[position : call.start])
        parts.append(expand_macros(strip_comments(body), ctx, depth + 1))
        position = call.end
        if sum(map(len, parts)) > MAX_LENGTH:
            raise SplError("Error in 'SearchParser': The search is too long after macro expansion.")
    parts.append(text[position:])
    return "".join(parts)
