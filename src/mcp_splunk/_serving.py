"""Serving ASGI apps with uvicorn on sockets we bind ourselves.

Both the gateway and the sandbox use this. Binding the socket ourselves lets callers ask for port 0 and learn
the real port before the server runs, and lets us set ``TCP_NODELAY``: uvicorn does not set it on sockets it
is handed, and without it every keep-alive response waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import uvicorn

LISTEN_BACKLOG = 1024
MAX_HEADER_BYTES = 64 * 1024  # a request head larger than this is refused before anything parses it


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
