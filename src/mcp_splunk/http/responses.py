"""Error responses of the ASGI layer, in JSON-RPC's envelope so that MCP clients show the message."""

from __future__ import annotations

import json
from typing import Any

INVALID_REQUEST = -32600


async def send_jsonrpc_error(
    send: Any,
    status: int,
    message: str,
    *,
    code: int = INVALID_REQUEST,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
