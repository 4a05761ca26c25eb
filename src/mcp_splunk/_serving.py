"""Serving ASGI apps with uvicorn on sockets we bind ourselves.

Both the gateway and the sandbox use this. Binding the socket ourselves lets callers ask for port 0 and learn
the real port before the server runs, and lets us set ``TCP_NODELAY``: uvicorn does not set it on sockets it
is handed, and without it every keep-alive response waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

LISTEN_BACKLOG = 1024


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
