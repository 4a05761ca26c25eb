"""Who and what a request is, for accountability: the principal, the caller's address and a correlation id."""

from __future__ import annotations

import re

from fastmcp.server.context import Context
from fastmcp.server.dependencies import get_http_headers, get_http_request

from mcp_splunk.auth import current_principal

_CORRELATION = re.compile(r"^[\x21-\x7e]{1,128}$")


def remote_address() -> str | None:
    try:
        client = get_http_request().client
    except RuntimeError:  # stdio and in-memory transports have no HTTP request
        return None
    return client.host if client else None


def principal() -> str:
    return current_principal(remote_address())


def correlation_id(ctx: Context) -> str:
    """The client's ``X-Session-ID`` when it is a plausible id, else the MCP session or request id.

    ``X-Session-ID`` only labels log lines: nothing is ever stored or looked up by it.
    """
    sent = get_http_headers().get("x-session-id", "")
    if _CORRELATION.match(sent):
        return sent
    try:
        return ctx.session_id
    except RuntimeError:
        return ctx.request_id
