"""The one explicit registry of tools: each area module lists its tools, this module lists the areas.

Write tools are registered only when the operator enables writes, so with writes off they are absent from
``tools/list`` and a call by name is an unknown tool.
"""

from __future__ import annotations

from fastmcp import FastMCP

from mcp_splunk.tools import (
    dashboards,
    discovery,
    identity,
    indexes,
    knowledge,
    kvstore,
    platform,
    saved_search_writes,
    saved_searches,
    search,
    search_jobs,
    validate,
)
from mcp_splunk.tools.base import BaseTool, ToolDeps, to_fastmcp

AREAS: tuple[tuple[str, tuple[type[BaseTool], ...]], ...] = (
    ("Search", (*search.TOOLS, *search_jobs.TOOLS, *validate.TOOLS)),
    ("Discovery", (*indexes.TOOLS, *discovery.TOOLS)),
    ("Knowledge objects", (*saved_searches.TOOLS, *knowledge.TOOLS, *dashboards.TOOLS)),
    ("KV Store", kvstore.TOOLS),
    ("Identity and platform", (*identity.TOOLS, *platform.TOOLS)),
    ("Writes", saved_search_writes.TOOLS),
)
TOOLS: tuple[type[BaseTool], ...] = tuple(tool for _, tools in AREAS for tool in tools)


def enabled_tools(deps: ToolDeps) -> list[BaseTool]:
    return [tool(deps) for tool in TOOLS if deps.settings.gateway.allow_writes or not tool.writes]


def register_tools(mcp: FastMCP, deps: ToolDeps) -> None:
    for tool in enabled_tools(deps):
        mcp.add_tool(to_fastmcp(tool))
