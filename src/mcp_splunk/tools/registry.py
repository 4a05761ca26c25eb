"""The one explicit registry of tools: each area module lists its tools, this module groups them into toolsets.

A toolset is what an operator (``MCP_SPLUNK_TOOLSETS``) and a client (``X-MCP-Toolsets``) choose by name. The read
tools of each area form its toolset; every write tool, whichever area it works on, is in ``writes``, so that one
name says "may change Splunk". Write tools are registered only when the operator enables writes, so with writes off
they are absent from ``tools/list`` and a call by name is an unknown tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastmcp import FastMCP

from mcp_splunk.settings import TOOLSETS as TOOLSET_NAMES
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.tools import (
    alert_writes,
    dashboard_writes,
    dashboards,
    data_sources,
    discovery,
    explain,
    field_summary,
    identity,
    indexes,
    job_admin,
    knowledge,
    kvstore,
    lookup_writes,
    platform,
    saved_search_writes,
    saved_searches,
    search,
    search_jobs,
    validate,
)
from mcp_splunk.tools.base import BaseTool, ToolDeps, to_fastmcp


@dataclass(frozen=True, slots=True)
class Toolset:
    name: str  # what MCP_SPLUNK_TOOLSETS and X-MCP-Toolsets say
    title: str
    tools: tuple[type[BaseTool], ...]


# (toolset, title, modules' tools): the read tools of each area form its toolset.
_AREAS: tuple[tuple[str, str, tuple[type[BaseTool], ...]], ...] = (
    ("search", "Search", (*search.TOOLS, *search_jobs.TOOLS, *job_admin.TOOLS, *validate.TOOLS, *explain.TOOLS)),
    ("discovery", "Discovery", (*indexes.TOOLS, *discovery.TOOLS, *field_summary.TOOLS, *data_sources.TOOLS)),
    ("knowledge", "Knowledge objects", (*saved_searches.TOOLS, *knowledge.TOOLS, *dashboards.TOOLS)),
    ("kvstore", "KV Store", kvstore.TOOLS),
    ("platform", "Identity and platform", (*identity.TOOLS, *platform.TOOLS)),
)
_AUTHORING: tuple[type[BaseTool], ...] = (
    *saved_search_writes.TOOLS,
    *alert_writes.TOOLS,
    *dashboard_writes.TOOLS,
    *lookup_writes.TOOLS,
)
_ALL: tuple[type[BaseTool], ...] = (*(t for _, _, tools in _AREAS for t in tools), *_AUTHORING)
TOOLSETS: tuple[Toolset, ...] = (
    *(Toolset(name, title, tuple(t for t in tools if not t.writes)) for name, title, tools in _AREAS),
    Toolset("writes", "Writes", tuple(t for t in _ALL if t.writes)),
)
TOOLS: tuple[type[BaseTool], ...] = tuple(tool for toolset in TOOLSETS for tool in toolset.tools)
TOOLSET_OF: dict[str, str] = {tool.name: toolset.name for toolset in TOOLSETS for tool in toolset.tools}


def offered_toolsets(settings: GatewaySettings) -> frozenset[str]:
    """The toolsets the server registers: those the operator named, else every read toolset plus writes if allowed."""
    if settings.toolsets:
        return settings.toolsets
    return frozenset(name for name in TOOLSET_NAMES if name != "writes" or settings.allow_writes)


def enabled_tools(deps: ToolDeps) -> list[BaseTool]:
    gateway = deps.settings.gateway
    offered = offered_toolsets(gateway)
    # allow_writes is checked again on its own: no choice of toolsets registers a write tool without it.
    return [
        tool(deps) for tool in TOOLS if TOOLSET_OF[tool.name] in offered and (gateway.allow_writes or not tool.writes)
    ]


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
