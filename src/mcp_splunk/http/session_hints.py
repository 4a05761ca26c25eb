"""Turn the MCP SDK's bare "Missing session ID" 400 into an error that says what to do.

The SDK's response also carries a freshly minted ``Mcp-Session-Id`` for a session it immediately discards; a
client that picks it up gets 404 on its next request. This middleware drops that header and explains the fix.
"""

from __future__ import annotations

import json
from typing import Any

HINT = (
    "Bad Request: Missing session ID. This server keeps MCP sessions: send initialize first, then send the "
    "Mcp-Session-Id header from its response on every later request (and MCP-Protocol-Version). Or use a "
    "2026-07-28 client, or ask the operator to run the gateway with --stateless. See SESSION_MANAGEMENT.md."
)
_MAX_BUFFERED = 4096


class SessionHintMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] | None = None
        body = bytearray()

        async def rewrite(message: dict[str, Any]) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 400:
                held = message  # wait for the body to decide
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body") and len(body) < _MAX_BUFFERED:
                return
            start, held = held, None
            if b"Missing session ID" in body and not message.get("more_body"):
                await _send_hint(send, start)
            else:
                await send(start)
                await send({**message, "body": bytes(body)})

        await self.app(scope, receive, rewrite)


async def _send_hint(send: Any, start: dict[str, Any]) -> None:
    payload = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": HINT}}).encode()
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"mcp-session-id", b"content-length")]
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
