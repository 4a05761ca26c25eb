"""Forget a stateful MCP session's Splunk config as soon as the client ends the session with DELETE."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SessionReleaseMiddleware:
    def __init__(self, app: Any, release: Callable[[str], None]) -> None:
        self.app = app
        self.release = release

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "DELETE":
            await self.app(scope, receive, send)
            return
        session_id = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"mcp-session-id"), None)

        async def watch(message: dict[str, Any]) -> None:
            # Release before the client can see the 2xx, so no later request of theirs finds the old config.
            if session_id and message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                self.release(session_id)
            await send(message)

        await self.app(scope, receive, watch)
