"""The one explicit registry of tools: each area module lists its tools, this module lists the areas.

Write tools are registered only when the operator enables writes, so with writes off they are absent from
``tools/list`` and a call by name is an unknown tool.
"""

from __future__ import annotations

from typing import Any

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
    schemas: dict[str, dict[str, Any]] = {}
    for tool in enabled_tools(deps):
        adapted = to_fastmcp(tool)
        mcp.add_tool(adapted)
        schemas[adapted.name] = adapted.parameters
    # Without a lookup the MCP SDK finds a called tool's input schema (to check Mcp-Param-* headers) by running a
    # whole tools/list, through every middleware, before each tools/call: 1.3 ms a call. The catalogue is fixed at
    # startup, so a dict answers the same. ``_mcp_server`` is FastMCP-internal (4.1.2); the SDK's own MCPServer
    # wires its tool manager in the same way.
    mcp._mcp_server.get_tool_input_schema = schemas.get
