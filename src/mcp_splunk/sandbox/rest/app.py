"""The sandbox's ASGI application: splunkd's wire conventions around the endpoint handlers.

Handlers are synchronous and run on worker threads, so a large search or rendering never stalls the event
loop that serves the other connections. Every failure becomes splunkd's messages envelope; nothing a client
sends can take the server down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

import anyio

from mcp_splunk.sandbox.accounts import User
from mcp_splunk.sandbox.rest import atom, jsonfmt
from mcp_splunk.sandbox.rest.entries import Feed, entries_to_rows
from mcp_splunk.sandbox.rest.replies import (
    BodyReply,
    DocumentReply,
    EmptyReply,
    EntryReply,
    FeedReply,
    MessageReply,
    Reply,
    SplunkdError,
    StreamReply,
)
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import Route, Router
from mcp_splunk.sandbox.state import SandboxState

logger = logging.getLogger("mcp_splunk.sandbox")

MAX_BODY_BYTES = 64 * 1024 * 1024
BUILD = "a5d2cb4f0f3f"
XML_TYPE = "text/xml; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
_COMMON_HEADERS = [
    (b"server", b"Splunkd"),
    (b"cache-control", b"no-store, must-revalidate, no-cache, max-age=0"),
    (b"expires", b"Thu, 26 Oct 1978 00:00:00 GMT"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"vary", b"Cookie, Authorization"),
]


@dataclass(slots=True)
class Rendered:
    status: int
    content_type: str
    body: bytes = b""
    stream: Iterator[bytes] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SandboxApp:
    def __init__(self, state: SandboxState, routes: list[Route], scheme: str = "http") -> None:
        self.state = state
        self.router = Router(routes)
        self.scheme = scheme
        self._limiter = anyio.CapacityLimiter(64)
        state.rest_bridge = self._rest_rows

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    self.state.jobs.shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await self._send(send, self._error(413, "Request body too large.", "xml"))
                return
        server = scope.get("server") or ("127.0.0.1", 0)
        base_url = f"{self.scheme}://{server[0]}:{server[1]}"
        rendered = await anyio.to_thread.run_sync(self._handle, scope, bytes(body), base_url, limiter=self._limiter)
        await self._send(send, rendered)

    async def _send(self, send: Any, rendered: Rendered) -> None:
        headers = [*_COMMON_HEADERS, (b"content-type", rendered.content_type.encode())]
        headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in rendered.headers]
        if rendered.stream is None:
            headers.append((b"content-length", str(len(rendered.body)).encode()))
            await send({"type": "http.response.start", "status": rendered.status, "headers": headers})
            await send({"type": "http.response.body", "body": rendered.body})
            return
        await send({"type": "http.response.start", "status": rendered.status, "headers": headers})
        stream = rendered.stream
        while (chunk := await anyio.to_thread.run_sync(next, stream, None, limiter=self._limiter)) is not None:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    # -- request handling (worker thread) -----------------------------------------------------------------
    def _handle(self, scope: Mapping[str, Any], body: bytes, base_url: str) -> Rendered:
        method = scope["method"]
        # Split the path as sent: an encoded "/" (%2F) inside a name must not become a separator.
        raw = scope.get("raw_path")
        path = raw.decode("latin-1") if raw else scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        request = SplunkdRequest.parse(method, path, scope.get("query_string", b""), body, content_type)
        mode = "xml"
        try:
            if request is None:
                raise SplunkdError(404, "Not Found")
            request.base_url = base_url
            request.headers = headers
            mode = request.output_mode
            resolved = self.router.resolve(method, request.segments)
            # splunkd checks credentials before it looks the path up: an anonymous call to any path is 401.
            if not isinstance(resolved, tuple) or resolved[0].authenticated:
                request.user = self._authenticate(headers)
            if resolved is None:
                raise SplunkdError(404, "Not Found")
            if resolved is False:
                raise SplunkdError(405, f"Method {method} is not allowed for this endpoint.")
            assert not isinstance(resolved, bool)
            found_route, found = resolved
            self.state.feed_live()
            return self._render(found_route.handler(self.state, request, found), request)
        except SplunkdError as exc:
            return self._error(exc.status, exc.text, mode, exc.kind)
        except Exception:
            logger.exception("sandbox: unhandled error serving %s %s", method, path)
            return self._error(500, "Internal Server Error", mode)

    def _authenticate(self, headers: dict[str, str]) -> User:
        cookies: dict[str, str] = {}
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            jar.load(headers["cookie"])
            cookies = {name: morsel.value for name, morsel in jar.items()}
        user = self.state.accounts.authenticate(headers.get("authorization"), cookies)
        if user is None:
            raise SplunkdError(401, "call not properly authenticated", "WARN")
        return user

    def _render(self, reply: Reply, request: SplunkdRequest) -> Rendered:
        json_mode = request.json_mode
        info = {"base_url": request.base_url, "updated": _now_iso()}
        version = {"build": BUILD, "version": self.state.options.version}
        match reply:
            case FeedReply(feed, status):
                if json_mode:
                    return Rendered(status, JSON_TYPE, jsonfmt.render_feed(feed, **info, **version).encode())
                return Rendered(status, XML_TYPE, atom.render_feed(feed, **info, **version).encode())
            case EntryReply(entry, status):
                if json_mode:
                    return Rendered(status, JSON_TYPE, jsonfmt.render_entry(entry, **info, **version).encode())
                return Rendered(status, XML_TYPE, atom.render_entry(entry, **info).encode())
            case MessageReply(status, messages):
                if json_mode:
                    return Rendered(status, JSON_TYPE, jsonfmt.render_messages(messages).encode())
                return Rendered(status, XML_TYPE, atom.render_messages(messages).encode())
            case DocumentReply(status, xml_body, json_body, headers):
                if json_mode:
                    return Rendered(status, JSON_TYPE, jsonfmt.dumps(json_body).encode(), headers=headers)
                return Rendered(status, XML_TYPE, atom.render_response(xml_body).encode(), headers=headers)
            case BodyReply(status, body, content_type, headers):
                return Rendered(status, content_type, body, headers=headers)
            case StreamReply(chunks, content_type):
                return Rendered(200, content_type, stream=chunks)
            case EmptyReply(status):
                return Rendered(status, XML_TYPE)
        raise AssertionError(f"unknown reply {reply!r}")

    def _error(self, status: int, text: str, mode: str, kind: str = "ERROR") -> Rendered:
        if mode == "json":
            return Rendered(status, JSON_TYPE, jsonfmt.render_messages([(kind, text)]).encode())
        return Rendered(status, XML_TYPE, atom.render_messages([(kind, text)]).encode())

    # -- | rest ------------------------------------------------------------------------------------------
    def _rest_rows(self, user: User, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        clean = "/" + path.lstrip("/")
        if not clean.startswith(("/services/", "/servicesNS/")):
            clean = "/services" + clean
        request = SplunkdRequest.parse("GET", clean, b"", b"", "")
        resolved = self.router.resolve("GET", request.segments) if request is not None else None
        if request is None or not isinstance(resolved, tuple):
            raise LookupError(f"The REST endpoint {path} is not served by the sandbox.")
        found_route, found = resolved
        request.user = user
        request.params = {k: [v] for k, v in params.items()}
        request.params.setdefault("count", ["0"])
        request.base_url = f"{self.scheme}://127.0.0.1"
        try:
            reply = found_route.handler(self.state, request, found)
        except SplunkdError as exc:
            # The caller may not read it, or it does not exist: the search reports it, the request stays 200.
            raise LookupError(f"The REST endpoint {path} answered {exc.status}: {exc.text}") from None
        if not isinstance(reply, FeedReply | EntryReply):
            raise LookupError(f"The REST endpoint {path} does not return entries.")
        feed = reply.feed if isinstance(reply, FeedReply) else Feed(reply.entry.name, reply.entry.path, [reply.entry])
        return entries_to_rows(feed, self.state.options.server_name, request.base_url)
