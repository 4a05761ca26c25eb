"""Serving ASGI apps with uvicorn on sockets we bind ourselves.

Both the gateway and the sandbox use this. Binding the socket ourselves lets callers ask for port 0 and learn
the real port before the server runs, and lets us set ``TCP_NODELAY``: uvicorn does not set it on sockets it
is handed, and without it every keep-alive response waits ~40 ms for a delayed ACK. ``mcp-splunk serve`` runs
under ``DrainingServer``, which drains on SIGTERM (the sequence is in ``mcp_splunk.http.health``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import IO, Any

import uvicorn

from mcp_splunk.http.health import DrainState, is_listener

LISTEN_BACKLOG = 1024
MAX_HEADER_BYTES = 64 * 1024  # a request head larger than this is refused before anything parses it
CUT_WAIT_SECONDS = 0.5  # at the end of a drain, for cut requests and then the application to end by themselves
_log = logging.getLogger(__name__)


def listen_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on ``host:port`` (port 0 picks a free one) with the options our servers need."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def socket_port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


class _SignallingServer(uvicorn.Server):
    """A uvicorn server that reports readiness through a ``threading.Event`` instead of a polled flag."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Signal handlers can only be installed from the main thread; the owner of a thread server stops it.
        if threading.current_thread() is threading.main_thread():
            with super().capture_signals():
                yield
        else:
            yield


class DrainingServer(uvicorn.Server):
    """uvicorn with the gateway's drain (the sequence is in ``mcp_splunk.http.health``): the first SIGTERM or SIGINT
    drains and the process then exits 0; a second one stops at once. Runs in the main thread only."""

    def __init__(self, config: uvicorn.Config, drain: DrainState) -> None:
        super().__init__(config)
        self.drain = drain
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain.draining:
            self.force_exit = True
        self.drain.begin()
        self.should_exit = True

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Not uvicorn's: after shutting down it raises the signal again, so the process would die of SIGTERM
        # (status -15) instead of exiting 0 after a complete drain.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        # Importing sse-starlette patches uvicorn so that a signal ends every open SSE response at once, cleanly: a
        # call in flight would answer a 200 stream without its result. Only the gateway imports it, hence here.
        from sse_starlette.sse import AppStatus  # noqa: PLC0415

        AppStatus.enable_automatic_graceful_drain = False
        await super().serve(sockets)

    async def on_tick(self, counter: int) -> bool:
        if self.drain.draining and not self._announced:  # here, not in handle_exit: logging there is not safe
            self._announced = True
            _log.info("draining: /health answers 503; %.1f s to finish calls in flight", self.drain.seconds)
        # Step 2: keep accepting connections (and answering /health with 503) while a balancer takes notice.
        return await super().on_tick(counter) and (self.force_exit or not self.drain.notice_pending())

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Step 3. uvicorn's own shutdown would give calls in flight its graceful timeout, not the drain, and leave
        # listening streams open until then.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        calls = 0
        for connection in list(self.server_state.connections):
            cycle: Any = getattr(connection, "cycle", None)  # h11's request in progress; None before the first
            in_flight = cycle is not None and not cycle.response_complete
            if in_flight and is_listener(cycle.scope):
                connection.transport.close()
            else:
                calls += in_flight
                connection.shutdown()  # closes an idle connection; one in flight closes after its response
        _log.info(
            "draining: no longer accepting connections; %d call(s) in flight have %.1f s left",
            calls,
            max(self.drain.remaining(), 0.0),
        )
        # Step 4, polled like uvicorn's own loop; a second signal only sets a flag.
        while self.server_state.connections and not self.force_exit and self.drain.remaining() > 0:
            await asyncio.sleep(0.1)
        if self.server_state.connections:
            reason = "a second signal" if self.force_exit else "MCP_SPLUNK_DRAIN_SECONDS"
            _log.warning("drain ended by %s: cutting %d call(s) in flight", reason, len(self.server_state.connections))
            for connection in list(self.server_state.connections):
                # The client sees its response broken off (or none at all): a failed call, not a normal end.
                connection.transport.close()
            if self.server_state.tasks:
                # A closed connection reads as a client disconnect, which ends its request within moments; only
                # what is left after that is cancelled (uvicorn logs each cancelled request as an error).
                await asyncio.wait(list(self.server_state.tasks), timeout=CUT_WAIT_SECONDS)
        for task in self.server_state.tasks:
            task.cancel()
        # After a second signal too, unlike uvicorn, but bounded: an application shutdown that is never run is
        # cancelled when the loop closes, and logs a traceback.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CUT_WAIT_SECONDS if self.force_exit else None):
                await self.lifespan.shutdown()


def uvicorn_config(app: Any, *, ssl: dict[str, str] | None = None, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        # h11 explicitly: uvicorn would pick httptools when it happens to be installed, which has no limit on the
        # size of request headers.
        http="h11",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        log_config=None,  # uvicorn's records go through the root handler (and its redaction), like every other
        access_log=False,
        lifespan="on",
        timeout_keep_alive=75,
        timeout_graceful_shutdown=2,
        server_header=False,
        # Forwarding headers are believed only from MCP_SPLUNK_TRUSTED_PROXIES (http/forwarded.py); uvicorn's own
        # handling would trust 127.0.0.1 (or $FORWARDED_ALLOW_IPS) and rewrite the peer before the gateway sees it.
        proxy_headers=False,
        ssl_certfile=ssl["certfile"] if ssl else None,
        ssl_keyfile=ssl["keyfile"] if ssl else None,
    )


@dataclass
class ThreadServer:
    """An ASGI app served by uvicorn in a daemon thread, on an already-bound socket."""

    config: uvicorn.Config
    sock: socket.socket

    def __post_init__(self) -> None:
        self._server = _SignallingServer(self.config)
        self._thread = threading.Thread(target=self._run, name="uvicorn", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self.sock]))
        except BaseException as exc:  # reported to start(); a thread has nowhere else to put it
            self._error = exc
        finally:
            self._server.ready.set()

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._server.ready.wait(timeout):
            raise TimeoutError(f"server did not start within {timeout} s")
        if self._error is not None or not self._server.started:
            raise RuntimeError("server failed to start") from self._error

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self.sock.close()

    @property
    def port(self) -> int:
        return socket_port(self.sock)


class ServerProcess:
    """A server run as a child process, ready once it prints a line matching ``ready`` (with a ``url`` group).

    Used for the sandbox (``mcp-splunk sandbox``), the gateway (``mcp-splunk serve``) in tests and benchmarks:
    readiness is the server's own announcement, never a sleep.
    """

    def __init__(self, args: list[str], ready: re.Pattern[str], env: dict[str, str] | None = None) -> None:
        self.args = args
        self.ready_pattern = ready
        self.env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.lines: list[str] = []

    def start(self, timeout: float = 60.0) -> ServerProcess:
        # Our own interpreter and fixed arguments: nothing here comes from a client.
        self.process = subprocess.Popen(  # noqa: S603
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env
        )
        ready = threading.Event()
        assert self.process.stdout is not None
        threading.Thread(target=self._pump, args=(self.process.stdout, ready), daemon=True).start()
        if not ready.wait(timeout) or not self.url:
            self.stop()
            raise RuntimeError(f"{self.args[:4]} did not start:\n" + "".join(self.lines[-30:]))
        return self

    def _pump(self, stream: IO[str], ready: threading.Event) -> None:
        with stream:  # the pipe ends with the process; closing it here leaves nothing for the garbage collector
            for line in stream:
                self.lines.append(line)
                if not ready.is_set() and (match := self.ready_pattern.search(line)):
                    self.url = match.group("url")
                    ready.set()
        ready.set()  # the process ended, ready or not

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


GATEWAY_READY = re.compile(r"gateway listening on (?P<url>http\S+)")


def gateway_process(*args: str, env: dict[str, str] | None = None) -> ServerProcess:
    """``mcp-splunk serve <args>`` as a child process (``--port 0`` unless a port is given)."""
    port = [] if "--port" in args else ["--port", "0"]
    return ServerProcess([sys.executable, "-m", "mcp_splunk", "serve", *port, *args], GATEWAY_READY, env)
