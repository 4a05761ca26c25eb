"""Argument completion (``completion/complete``): names the caller can actually use on their Splunk.

Prompt arguments and resource-template parameters that name an index, source type or saved search complete
from what the request's own identity sees on the target, so an analyst is never offered an index it cannot
search. Timeframes complete from common modifiers.
"""

from __future__ import annotations

import re
from typing import Any

import mcp_types
from fastmcp import FastMCP

from mcp_splunk.errors import GatewayError
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.tools.spl_args import term
from mcp_splunk.tools.splunk_client import SplunkClient, current_splunk

TIMEFRAMES = ("-15m", "-1h", "-4h", "-24h", "-7d", "-30d")
MAX_VALUES = 100
# What an argument names, by argument; template parameters called "name" depend on the template.
KIND_BY_ARGUMENT = {
    "index": "index",
    "sourcetype": "sourcetype",
    "saved_search": "saved_search",
    "timeframe": "timeframe",
}
KIND_BY_TEMPLATE = {"splunk://indexes/{name}": "index", "splunk://saved-searches/{name}": "saved_search"}
_INDEX = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,79}$")


async def _names(splunk: SplunkClient, path: str, **query: Any) -> list[str]:
    page = await splunk.run(ops.read_entries, path, count=0, **query)
    return sorted(entry["name"] for entry in page.entries)


async def _sourcetypes(splunk: SplunkClient, index: str | None) -> list[str]:
    where = term("index", index) if index and _INDEX.match(index) else "index=*"
    page = await splunk.run(ops.oneshot, f"| tstats count where {where} by sourcetype", earliest_time="-7d", count=0)
    return sorted(str(row.get("sourcetype", "")) for row in page.rows)


async def candidates(pool: ConnectionPool, target: str, argument: str, context: dict[str, str]) -> list[str]:
    """Every candidate for ``argument`` of the prompt or template ``target`` (before prefix filtering)."""
    kind = KIND_BY_TEMPLATE.get(target) if argument == "name" else KIND_BY_ARGUMENT.get(argument)
    if kind == "timeframe":
        return list(TIMEFRAMES)
    if kind is None:
        return []
    try:
        splunk = await current_splunk(pool)
        if kind == "index":
            return await _names(splunk, "data/indexes")
        if kind == "sourcetype":
            return await _sourcetypes(splunk, context.get("index"))
        return await _names(splunk, "saved/searches")
    except GatewayError:
        return []  # completion is a convenience: without a usable Splunk there are no candidates


def register_completions(mcp: FastMCP, pool: ConnectionPool) -> None:
    @mcp.completion
    async def complete(
        ref: mcp_types.PromptReference | mcp_types.ResourceTemplateReference,
        argument: mcp_types.CompletionArgument,
        context: mcp_types.CompletionContext | None,
    ) -> mcp_types.Completion:
        target = ref.name if isinstance(ref, mcp_types.PromptReference) else ref.uri
        given = dict(context.arguments or {}) if context is not None else {}
        found = await candidates(pool, target, argument.name, given)
        prefix = argument.value.lower()
        matches = [value for value in found if value.lower().startswith(prefix)]
        return mcp_types.Completion(values=matches[:MAX_VALUES], total=len(matches), has_more=len(matches) > MAX_VALUES)
