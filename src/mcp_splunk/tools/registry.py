"""The one explicit list of tools, and their registration with FastMCP (write tools only when enabled)."""

from __future__ import annotations

from fastmcp import FastMCP

from mcp_splunk.tools.base import BaseTool, ToolDeps, to_fastmcp
from mcp_splunk.tools.identity import GetServerInfo, UserAgentInfo, WhoAmI
from mcp_splunk.tools.indexes import ListIndexes
from mcp_splunk.tools.search import RunSearch

TOOLS: tuple[type[BaseTool], ...] = (
    UserAgentInfo,
    WhoAmI,
    GetServerInfo,
    ListIndexes,
    RunSearch,
)


def enabled_tools(deps: ToolDeps) -> list[BaseTool]:
    return [tool(deps) for tool in TOOLS if deps.settings.gateway.allow_writes or not tool.writes]


def register_tools(mcp: FastMCP, deps: ToolDeps) -> None:
    for tool in enabled_tools(deps):
        mcp.add_tool(to_fastmcp(tool))
