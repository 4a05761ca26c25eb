"""``HeaderCaptureMiddleware``: puts the request's validated ``X-Splunk-*`` and ``X-MCP-Toolsets`` headers in
ContextVars.

The MCP SDK runs each message inside the context of the POST that carried it, so the value set here reaches
that request's tool call, and only it, in every transport mode. It is reset when the request ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from mcp_splunk.errors import HeaderError
from mcp_splunk.http.responses import send_jsonrpc_error
from mcp_splunk.http.splunk_headers import parse_splunk_headers
from mcp_splunk.settings import TOOLSETS
from mcp_splunk.splunk.config import HeaderParams

SPLUNK_HEADERS: ContextVar[HeaderParams | None] = ContextVar("mcp_splunk_headers", default=None)
# The toolsets a client narrowed its view to; None (no header) is the whole catalogue the server offers.
CLIENT_TOOLSETS: ContextVar[frozenset[str] | None] = ContextVar("mcp_splunk_client_toolsets", default=None)
TOOLSETS_HEADER = b"x-mcp-toolsets"


def parse_toolsets_header(raw_headers: Iterable[tuple[bytes, bytes]]) -> frozenset[str] | None:
    """The toolsets named by every ``X-MCP-Toolsets`` header (comma-separated), or None when none was sent."""
    values = [value for name, value in raw_headers if name.lower() == TOOLSETS_HEADER]
    if not values:
        return None
    names = frozenset(n.strip().lower() for v in values for n in v.decode("latin-1").split(",") if n.strip())
    if not names or not names <= set(TOOLSETS):
        # Never the value: a client may have put a secret in the wrong header.
        raise HeaderError(
            f"X-MCP-Toolsets names a toolset that does not exist, or none; send a comma-separated list of "
            f"{', '.join(TOOLSETS)}, such as X-MCP-Toolsets: search,discovery."
        )
    return names


class HeaderCaptureMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            params = parse_splunk_headers(scope["headers"])
            toolsets = parse_toolsets_header(scope["headers"])
        except HeaderError as exc:
            await send_jsonrpc_error(send, 400, f"Bad Request: {exc.message}")
            return
        token = SPLUNK_HEADERS.set(params)
        # Set only when sent: the common request, without the header, pays for no second ContextVar.
        narrowed = CLIENT_TOOLSETS.set(toolsets) if toolsets is not None else None
        try:
            await self.app(scope, receive, send)
        finally:
            SPLUNK_HEADERS.reset(token)
            if narrowed is not None:
                CLIENT_TOOLSETS.reset(narrowed)
