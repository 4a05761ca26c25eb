"""In ``--stateless`` mode, answer ``initialize`` with an opaque ``Mcp-Session-Id``.

Some handshake-era clients (Codex is a known one) fail when ``initialize`` returns no session id. A stateless
server accepts any id afterwards and keeps no state for it, so an unbound random id satisfies those clients
without reintroducing server-side sessions.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

MINTED_SESSION_ID = "mcp_splunk.minted_session_id"  # in the request's state: the id initialize will answer with
_PEEK_LIMIT = 64 * 1024  # an initialize request is small; larger bodies are not initialize


class StatelessSessionIdMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def peek() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request" and len(body) < _PEEK_LIMIT:
                body.extend(message.get("body", b"")[: _PEEK_LIMIT - len(body)])
            return message

        # Minted before the app runs, so that a shared session binding made while answering initialize can use it.
        minted = secrets.token_hex(16)
        scope = {**scope, "state": {**scope.get("state", {}), MINTED_SESSION_ID: minted}}

        async def stamp(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and _is_initialize(bytes(body)):
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"mcp-session-id" for k, _ in headers):
                    headers.append((b"mcp-session-id", minted.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, peek, stamp)


def _is_initialize(body: bytes) -> bool:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError), or nested too deeply
        return False
    return isinstance(document, dict) and document.get("method") == "initialize"
