"""How a gateway error reaches an MCP client: a tool result with ``isError`` and a stable error code."""

from __future__ import annotations

from fastmcp.tools.base import ToolResult
from mcp.types import TextContent

from mcp_splunk.errors import GatewayError


def error_result(error: GatewayError) -> ToolResult:
    return ToolResult(
        content=[TextContent(type="text", text=f"Error [{error.code}]: {error.message}")],
        structured_content={"error": {"code": error.code, "message": error.message}},
        is_error=True,
    )
