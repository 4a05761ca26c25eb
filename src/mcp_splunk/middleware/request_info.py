"""Who and what a request is, for accountability: the principal, the caller's address and a correlation id."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastmcp.server.context import Context
from fastmcp.server.dependencies import get_http_headers, get_http_request

from mcp_splunk.auth import current_principal
from mcp_splunk.http.forwarded import IPNetwork, client_address, parse_networks

_CORRELATION = re.compile(r"^[\x21-\x7e]{1,128}$")

# The operator's trusted proxies. Module state, set once by create_gateway, because the audit and rate-limit
# middlewares that ask for principal() are built without the settings, and the set is fixed for the life of the
# process. The default trusts no proxy, so code that never configures it reads no forwarding header.
_trusted_proxies: tuple[IPNetwork, ...] = ()


def configure_trusted_proxies(entries: Iterable[str]) -> None:
    """Trust ``X-Forwarded-For`` and ``Forwarded`` from these addresses or CIDRs (``MCP_SPLUNK_TRUSTED_PROXIES``)."""
    global _trusted_proxies  # noqa: PLW0603 - see above: configured once, when the gateway is built
    _trusted_proxies = parse_networks(entries)


def remote_address() -> str | None:
    """The caller's address: the TCP peer, or the client a trusted proxy forwarded for (http/forwarded.py)."""
    try:
        request = get_http_request()
    except RuntimeError:  # stdio and in-memory transports have no HTTP request
        return None
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.items(), _trusted_proxies)


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
