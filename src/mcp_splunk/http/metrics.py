"""``/metrics``: the gateway's Prometheus metrics (``observability.metrics``), served by prometheus-client's ASGI app.

Like ``/health`` it sits ahead of FastMCP's Host allow-list, because a scraper addresses each replica by its own
``IP:port``; the authority check in front still refuses a malformed Host. Who may scrape (``authorize``):

* with ``MCP_SPLUNK_METRICS_TOKEN`` set, whoever sends ``Authorization: Bearer <that token>``, whatever the
  gateway's own auth (Prometheus' ``authorization`` block sends it; a scraper needs no gateway identity);
* otherwise, with gateway auth on, whoever the gateway's auth accepts (a static token, or a JWT);
* otherwise, anyone who can reach the gateway, which then listens on loopback (or the operator said
  ``--allow-unauthenticated``): the same exposure as ``/mcp`` itself.

Anyone else gets a 401 naming what to send, and no metric.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastmcp.server.auth import AuthProvider
from prometheus_client import CollectorRegistry, make_asgi_app

from mcp_splunk.secret import Secret

Authorize = Callable[[str | None], Awaitable[bool]]  # the bearer token sent (None: none) → may it scrape?


def scrape_authorizer(metrics_token: str | None, auth: AuthProvider | None) -> tuple[Authorize, str]:
    """Who may scrape, by the rules above, and what a refused scraper is told to send."""
    if metrics_token is not None:
        Secret(metrics_token)  # registers it with the log redactor
        expected = hashlib.sha256(metrics_token.encode()).digest()

        async def by_metrics_token(sent: str | None) -> bool:
            return sent is not None and hmac.compare_digest(hashlib.sha256(sent.encode()).digest(), expected)

        return by_metrics_token, "'Authorization: Bearer <the MCP_SPLUNK_METRICS_TOKEN value>'"
    if auth is not None:
        verifier = auth

        async def by_gateway_auth(sent: str | None) -> bool:
            return sent is not None and await verifier.verify_token(sent) is not None

        return by_gateway_auth, "'Authorization: Bearer <a token the gateway accepts (MCP_SPLUNK_AUTH)>'"

    async def anyone(_sent: str | None) -> bool:
        return True

    return anyone, "nothing"


class MetricsEndpoint:
    def __init__(
        self, app: Any, registry: CollectorRegistry, authorize: Authorize, hint: str, path: str = "/metrics"
    ) -> None:
        self.app = app
        self.path = path
        self.authorize = authorize
        self.hint = hint  # what a refused scraper must send, naming the setting, never its value
        self.exposition = make_asgi_app(registry)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if not await self.authorize(_bearer(scope)):
            await _refuse(send, self.hint)
            return
        await self.exposition(scope, receive, send)


def _bearer(scope: dict[str, Any]) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


async def _refuse(send: Any, hint: str) -> None:
    body = json.dumps({"error": "unauthorized", "error_description": f"/metrics needs {hint}."}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer realm="mcp-splunk metrics"'),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
