"""Make the MCP SDK's bare HTTP errors say what to do.

Some of the SDK's answers do not help a client fix its request:

- "Missing session ID" (400) carries a freshly minted ``Mcp-Session-Id`` for a session the SDK immediately
  discards, and so do its other 400s to requests without a session id: a client that picks the id up gets 404;
- a malformed JSON-RPC body gets a pydantic dump (handshake era) or one fixed sentence (2026-07-28), a body that
  is not JSON a bare "Parse error" (2026-07-28);
- a request whose ``id`` has the wrong type is taken for a notification: 202, and no reply ever comes;
- wrongly typed params of tools/call, prompts/get and resources/read get "Invalid request parameters";
- an unknown ``MCP-Protocol-Version`` gets a message about ``params._meta`` (handshake era), or has the header's
  value echoed in ``data.requested`` (2026-07-28): a client may have put a secret in the wrong header, so only a
  date-shaped version is ever reported back;
- a refused ``Accept`` gets an empty 406 (2026-07-28), a body over the size limit a plain-text 413, a wrong
  ``Content-Type`` a plain-text 400.

This middleware keeps the SDK's decision that the request fails, and its status code (the misread request
becomes a 400), and replaces the answer with a JSON-RPC error that names what to fix. It keeps a reference to
the request body as the SDK reads it and decodes it only to explain a failure; see ``jsonrpc_envelope``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, KNOWN_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from mcp_splunk.http.jsonrpc_envelope import (
    UNREADABLE,
    decode,
    describe_envelope,
    describe_params,
    misread_request,
)
from mcp_splunk.http.responses import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
    jsonrpc_error_body,
)

HINT = (
    "Bad Request: Missing session ID. This server keeps MCP sessions: send initialize first, then send the "
    "Mcp-Session-Id header from its response on every later request (and MCP-Protocol-Version). Or use a "
    "2026-07-28 client, or ask the operator to run the gateway with --stateless. See SESSION_MANAGEMENT.md."
)
NOT_ACCEPTABLE = "Not Acceptable: send the header Accept: application/json, text/event-stream."
TOO_LARGE = (
    f"Request body too large: this server accepts MCP messages of at most "
    f"{DEFAULT_MAX_REQUEST_BODY_SIZE // 2**20} MiB. Send smaller arguments."
)
CONTENT_TYPE = "Bad Request: send the header Content-Type: application/json with one JSON-RPC message as the body."
NOT_JSON = "Parse error: the body is not JSON (or is nested too deeply); send one JSON-RPC 2.0 message per POST."
_SDK_INVALID_BODY = "Body must be a single JSON-RPC request or notification object"
UNSUPPORTED_VERSION = (
    f"Unsupported MCP-Protocol-Version: send one this server serves, as YYYY-MM-DD. Handshake-era clients send the "
    f"version initialize negotiated ({', '.join(HANDSHAKE_PROTOCOL_VERSIONS)}); sessionless clients send "
    f"{', '.join(MODERN_PROTOCOL_VERSIONS)}, here and in params._meta."
)
_VERSION_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HELD = frozenset({400, 406, 413})  # answers whose body may be replaced, held until their body is seen
_MAX_BUFFERED = 4096  # the SDK's error bodies are small; a longer one is passed on as it is
_MAX_INSPECTED = 64 * 1024  # successful-looking answers are checked only for request bodies up to this size
_MAX_KEPT = 1024 * 1024  # a longer body that fails is explained in general terms, not member by member
_UNDECODED = object()


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    message: str
    code: int = INVALID_REQUEST
    request_id: str | int | None = None
    data: Any = None


class _Request:
    """What the rewriting needs of the request: two headers, and its body as the SDK read it."""

    def __init__(self, scope: dict[str, Any]) -> None:
        headers = dict(scope["headers"])  # ASGI header names are lower-case
        version = headers.get(b"mcp-protocol-version")
        self.version = version.decode("latin-1") if version is not None else None
        self.has_session = b"mcp-session-id" in headers
        self._chunks: list[bytes] = []
        self.size = 0
        self._document: Any = _UNDECODED

    def add(self, message: dict[str, Any]) -> None:
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        self.size += len(chunk)
        if self.size <= _MAX_KEPT:
            self._chunks.append(chunk)
        else:
            self._chunks = []

    def document(self, limit: int = _MAX_KEPT) -> Any:
        if self.size > limit:
            return UNREADABLE
        if self._document is _UNDECODED:
            self._document = decode(b"".join(self._chunks))
        return self._document


class ErrorAnswerMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _Request(scope)
        held: dict[str, Any] | None = None
        body = bytearray()
        answered = False

        async def capture() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            request.add(message)
            return message

        async def rewrite(message: dict[str, Any]) -> None:
            nonlocal held, answered
            if answered:
                return  # our answer went out instead of the SDK's: drop the rest of the SDK's
            if message["type"] == "http.response.start":
                if (instead := _instead_of(message, request)) is not None:
                    answered = True
                    await _answer(send, message, instead, request)
                elif message["status"] in _HELD:
                    held = message  # wait for the body to decide
                else:
                    await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            more = bool(message.get("more_body"))
            if more and len(body) < _MAX_BUFFERED:
                return
            start, held = held, None
            clearer = None if more else _clearer(start["status"], bytes(body), request)
            if clearer is not None:
                await _answer(send, start, clearer, request)
            else:
                await send({**start, "headers": _headers(start, request)})
                await send({**message, "body": bytes(body)})

        await self.app(scope, capture, rewrite)


def _instead_of(start: dict[str, Any], request: _Request) -> _Answer | None:
    """An answer to send instead of a successful-looking one that leaves the client without a reply."""
    status = start["status"]
    if status == 202 and (problem := misread_request(request.document(_MAX_INSPECTED))):
        return _Answer(400, problem)
    if status == 200 and _is_event_stream(start) and (found := describe_params(request.document(_MAX_INSPECTED))):
        # The SDK will put a bare "Invalid request parameters" on this stream: answer it with JSON instead.
        return _Answer(200, found[1], INVALID_PARAMS, found[0])
    return None


def _clearer(status: int, body: bytes, request: _Request) -> _Answer | None:
    """A clearer answer for one of the SDK's 400, 406 and 413 answers; None to keep the SDK's."""
    if status == 413:
        return _Answer(413, TOO_LARGE)
    if status == 406:
        return None if body.strip() else _Answer(406, NOT_ACCEPTABLE)
    if b"Missing session ID" in body:
        return _Answer(400, HINT)
    if body.startswith(b"Invalid Content-Type"):
        return _Answer(400, CONTENT_TYPE)
    error = _sdk_error(body)
    if error is None:
        return None
    request_id, message, data = error
    if message.startswith("Validation error") or message == _SDK_INVALID_BODY:
        return _Answer(400, "Bad Request: " + describe_envelope(request.document()))
    if message == "Parse error":
        return _Answer(400, NOT_JSON, PARSE_ERROR)
    if message == "Invalid request parameters" and (found := describe_params(request.document())):
        return _Answer(400, found[1], INVALID_PARAMS, found[0])
    if "params._meta" in message and request.version is not None and request.version not in KNOWN_PROTOCOL_VERSIONS:
        return _unsupported(request_id, request.version, {"supported": list(KNOWN_PROTOCOL_VERSIONS)})
    if isinstance(data, dict) and {"supported", "requested"} <= data.keys():  # the 2026-07-28 -32022 answer
        return _unsupported(request_id, data["requested"], data)
    return None


def _unsupported(request_id: str | int | None, version: object, data: dict[str, Any]) -> _Answer:
    """The answer to an unsupported MCP-Protocol-Version. ``data.requested`` (the 2026-07-28 schema requires it)
    is the version only when date-shaped, else "": other text may be a secret sent in the wrong header."""
    shown = version if isinstance(version, str) and _VERSION_SHAPE.fullmatch(version) else ""
    return _Answer(400, UNSUPPORTED_VERSION, UNSUPPORTED_PROTOCOL_VERSION, request_id, {**data, "requested": shown})


def _sdk_error(body: bytes) -> tuple[str | int | None, str, Any] | None:
    """(id, message, data) of the SDK's JSON-RPC error body."""
    document = decode(body)
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return None
    request_id = document.get("id")
    return (request_id if isinstance(request_id, str | int) else None), error["message"], error.get("data")


def _is_event_stream(start: dict[str, Any]) -> bool:
    return any(
        k.lower() == b"content-type" and v.lower().startswith(b"text/event-stream") for k, v in start.get("headers", [])
    )


def _headers(start: dict[str, Any], request: _Request, *, replaced: bool = False) -> list[tuple[bytes, bytes]]:
    """The SDK's headers, without a ghost session id (one the request did not send), and without the ones that
    describe a body we replace."""
    dropped = {b"content-length", b"content-type"} if replaced else set()
    if not request.has_session:
        dropped.add(b"mcp-session-id")
    return [(k, v) for k, v in start.get("headers", []) if k.lower() not in dropped]


async def _answer(send: Any, start: dict[str, Any], answer: _Answer, request: _Request) -> None:
    payload = jsonrpc_error_body(answer.message, code=answer.code, request_id=answer.request_id, data=answer.data)
    headers = _headers(start, request, replaced=True)
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
