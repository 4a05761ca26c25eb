"""``ToolsetsMiddleware``: a client's ``X-MCP-Toolsets`` header narrows its view of the catalogue.

The operator decides what the server registers (``MCP_SPLUNK_TOOLSETS``); a client may only see and call less.
The header applies to ``tools/list`` (tools outside it are left out) and to ``tools/call`` (a call to one is a tool
error naming its toolset and the header), so an agent cannot reach what its own view hides. Requests without the
header, the common case, pass through after one ContextVar read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mcp_types as mt
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from mcp_splunk.errors import OutsideToolsets
from mcp_splunk.http.header_capture import CLIENT_TOOLSETS
from mcp_splunk.results import error_result


class ToolsetsMiddleware(Middleware):
    def __init__(self, toolset_of: Mapping[str, str]) -> None:
        self.toolset_of = toolset_of  # tool name -> toolset name, from the registry

    async def __call__(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if CLIENT_TOOLSETS.get() is None:
            return await call_next(context)
        return await super().__call__(context, call_next)

    async def on_list_tools(
        self, context: MiddlewareContext[mt.ListToolsRequest], call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]]
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        allowed = CLIENT_TOOLSETS.get() or frozenset()
        return [tool for tool in tools if self.toolset_of.get(tool.name) in allowed]

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        allowed = CLIENT_TOOLSETS.get() or frozenset()
        toolset = self.toolset_of.get(context.message.name)
        if toolset is None or toolset in allowed:  # an unknown name gets the server's own "Unknown tool"
            return await call_next(context)
        return error_result(
            OutsideToolsets(
                f"The tool {context.message.name} is in the toolset '{toolset}', which this request's X-MCP-Toolsets "
                f"header leaves out (it allows {', '.join(sorted(allowed))}). Add '{toolset}' to X-MCP-Toolsets, "
                "or call a tool that tools/list shows."
            )
        )
