"""Error responses of the ASGI layer, in JSON-RPC's envelope so that MCP clients show the message."""

from __future__ import annotations

import json
from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
UNSUPPORTED_PROTOCOL_VERSION = -32022


def jsonrpc_error_body(
    message: str, *, code: int = INVALID_REQUEST, request_id: str | int | None = None, data: Any = None
) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": error}).encode()


async def send_jsonrpc_error(
    send: Any,
    status: int,
    message: str,
    *,
    code: int = INVALID_REQUEST,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = jsonrpc_error_body(message, code=code)
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
