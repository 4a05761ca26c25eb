"""``HeaderCaptureMiddleware``: puts the request's validated ``X-Splunk-*`` headers in a ContextVar.

The MCP SDK runs each message inside the context of the POST that carried it, so the value set here reaches
that request's tool call, and only it, in every transport mode. It is reset when the request ends.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from mcp_splunk.errors import HeaderError
from mcp_splunk.http.responses import send_jsonrpc_error
from mcp_splunk.http.splunk_headers import parse_splunk_headers
from mcp_splunk.splunk.config import HeaderParams

SPLUNK_HEADERS: ContextVar[HeaderParams | None] = ContextVar("mcp_splunk_headers", default=None)


class HeaderCaptureMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            params = parse_splunk_headers(scope["headers"])
        except HeaderError as exc:
            await send_jsonrpc_error(send, 400, f"Bad Request: {exc.message}")
            return
        token = SPLUNK_HEADERS.set(params)
        try:
            await self.app(scope, receive, send)
        finally:
            SPLUNK_HEADERS.reset(token)
