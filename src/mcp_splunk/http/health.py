"""Health probes and the drain of ``mcp-splunk serve``: what a load balancer sees while a replica stops.

Both endpoints answer GET and HEAD ahead of FastMCP's Host allow-list, because a balancer probes with a Host of its
own (``Host: mcp-backend``, the replica's ``IP:port``) that the allow-list answers 421; the authority check in front
still refuses a malformed Host, and ``/mcp`` keeps the allow-list. Neither touches Splunk.

* ``/health`` is readiness: 200 ``{"status": "ok", ...}``, then 503 ``{"status": "draining", ...}`` from the first
  SIGTERM or SIGINT on, so that a balancer takes the replica out of rotation. It also answers without a Host
  (HTTP/1.0 probes).
* ``/health/live`` is liveness: 200 until the process exits (the body says ``draining`` meanwhile), so that an
  orchestrator does not kill a replica for draining. Like every other path it needs a Host.

The drain, from the first SIGTERM or SIGINT (``DrainingServer`` in ``_serving.py`` carries it out):

1. Mark draining: ``/health`` answers 503, and every response carries ``Connection: close`` so that its client
   comes back on a new connection, which a balancer that has seen the 503 sends elsewhere.
2. Keep the listener open for ``NOTICE_SECONDS`` (or the whole drain, if shorter) and serve new requests as usual,
   so that a balancer polling ``/health`` can see the 503 before connections are refused. Closing at once would
   leave the 503 unseen (probes would be refused instead) and give a balancer that does not retry refused
   connections a burst of errors; waiting longer delays every shutdown, idle or not, and buys nothing from a
   balancer that retries refused connections on another server (haproxy ``retry-on conn-failure``), which is
   safe because nothing reached this one.
3. Close the listener, so that new connections are refused; close idle keep-alive connections (step 1 leaves only
   those idle since before the signal, so a request sent over one just as it closes, unanswered, is rare); end the
   streams that only wait for server events (a GET stream, a ``subscriptions/listen`` stream), whose clients
   reconnect. Calls in flight go on, however long their SSE response with progress lasts.
4. Exit 0 once the last call has answered, or when ``MCP_SPLUNK_DRAIN_SECONDS``, counted from the signal, have
   passed: a call unanswered by then has its connection closed mid-response, which its client reports as a failed
   call, never as a stream that ended normally without a result.

A second SIGTERM or SIGINT skips to the end of step 4 at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

NOTICE_SECONDS = 2.0  # step 2: two failed probes of a balancer that checks every second (haproxy: inter 1s fall 2)


@dataclass
class DrainState:
    """Whether the gateway is draining, and the timeline of that drain in ``time.monotonic()`` seconds."""

    seconds: float  # the whole drain, from the signal: MCP_SPLUNK_DRAIN_SECONDS
    started: float | None = None

    @property
    def draining(self) -> bool:
        return self.started is not None

    def begin(self) -> None:
        if self.started is None:
            self.started = time.monotonic()

    def notice_pending(self) -> bool:
        """Whether the listener should still accept connections (step 2)."""
        return self._elapsed() < min(NOTICE_SECONDS, self.seconds)

    def remaining(self) -> float:
        """Seconds left for calls in flight (step 4)."""
        return self.seconds - self._elapsed()

    def _elapsed(self) -> float:
        return 0.0 if self.started is None else time.monotonic() - self.started


def is_listener(scope: Mapping[str, Any]) -> bool:
    """Whether a request only waits for server events: it never ends by itself, so a drain ends it (step 3).

    Every GET that lasts is one (a standalone stream; a GET of ``/health`` is over at once); so is a POST of
    ``subscriptions/listen``, which the protocol's own checks refuse unless its ``Mcp-Method`` header says so.
    """
    return scope["method"] == "GET" or (b"mcp-method", b"subscriptions/listen") in scope["headers"]


class HealthMiddleware:
    """Answers the health probes and adds ``Connection: close`` to every response while draining."""

    def __init__(
        self, app: Any, drain: DrainState, details: Callable[[], Mapping[str, object]], path: str = "/health"
    ) -> None:
        self.app = app
        self.drain = drain
        self.details = details
        self.readiness_path = path
        self.liveness_path = path + "/live"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD") and scope["path"] in (self.readiness_path, self.liveness_path):
            await self._answer(send, readiness=scope["path"] == self.readiness_path)
            return

        async def closing(message: dict[str, Any]) -> None:
            # Checked when the response starts: a request that began before the signal must close too.
            if message["type"] == "http.response.start" and self.drain.draining:
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]
                message = {**message, "headers": [*kept, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)

    async def _answer(self, send: Any, *, readiness: bool) -> None:
        draining = self.drain.draining
        body = json.dumps({"status": "draining" if draining else "ok", **self.details()}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if draining:
            headers.append((b"connection", b"close"))
        status = 503 if draining and readiness else 200
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
