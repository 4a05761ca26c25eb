"""Keep-alive HTTP for splunklib: a handler backed by pooled ``httpx`` clients.

splunklib's own handler opens a new TCP (and TLS) connection per call and sends ``Connection: Close``. This
one reuses connections and TLS contexts, applies connect/read timeouts (splunklib has none), and reads each
body eagerly so a pooled connection is never held by a response splunklib forgets to read.
"""

from __future__ import annotations

import io
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import splunklib

from mcp_splunk import __version__
from mcp_splunk.observability.metrics import endpoint_class
from mcp_splunk.observability.tracing import splunk_span
from mcp_splunk.splunk.config import SplunkConfig

Handler = Callable[..., dict[str, Any]]
Observe = Callable[[str, str, float], None]  # (method, endpoint class, seconds) of each request answered
USER_AGENT = f"mcp-splunk/{__version__} splunk-sdk-python/{splunklib.__version__}"


class _Body(io.RawIOBase):
    """An already-read body, in the file-like shape splunklib's readers expect."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        return self._buffer.readinto(target)


class _StreamedBody(io.RawIOBase):
    """A body read as it arrives; closing it releases the pooled connection."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._chunks = response.iter_bytes()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


_local = threading.local()


@contextmanager
def streaming() -> Iterator[None]:
    """Within this block, responses on this thread are streamed instead of read eagerly (for export)."""
    _local.stream = True
    try:
        yield
    finally:
        _local.stream = False


class HttpTransport:
    """One ``httpx.Client`` per TLS trust setting; each pools connections per Splunk origin."""

    def __init__(
        self, *, connect_timeout: float, read_timeout: float, max_connections: int = 64, observe: Observe | None = None
    ) -> None:
        self._observe = observe
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections, keepalive_expiry=60.0
        )
        self._clients: dict[tuple[bool, str | None], httpx.Client] = {}
        self._lock = threading.Lock()

    def _client(self, config: SplunkConfig) -> httpx.Client:
        key = (config.verify_ssl, config.ca_bundle)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                verify: ssl.SSLContext | bool = False
                if config.verify_ssl:
                    verify = ssl.create_default_context(cafile=config.ca_bundle)
                client = httpx.Client(
                    verify=verify,
                    timeout=self._timeout,
                    limits=self._limits,
                    follow_redirects=False,
                    trust_env=False,
                    headers={"User-Agent": USER_AGENT},
                )
                self._clients[key] = client
        return client

    def handler_for(self, config: SplunkConfig, address: str) -> Handler:
        """A handler that connects to the vetted ``address`` while speaking to ``config.host`` (Host, TLS SNI)."""
        client = self._client(config)
        literal = f"[{address}]" if ":" in address else address
        named = f"[{config.host}]" if ":" in config.host else config.host
        host_header = ("Host", f"{named}:{config.port}")
        extensions = {"sni_hostname": config.host} if config.scheme == "https" else {}

        def handle(url: str, message: dict[str, Any], **_: Any) -> dict[str, Any]:
            body = message.get("body") or None
            parts = urlsplit(url)
            method = message.get("method", "GET")
            endpoint = endpoint_class(parts.path)
            headers = [h for h in message.get("headers", []) if h[0].lower() != "host"]
            request = client.build_request(
                method,
                urlunsplit(parts._replace(netloc=f"{literal}:{parts.port or config.port}")),
                headers=[*headers, host_header],
                content=body.encode() if isinstance(body, str) else body,
                extensions=extensions,
            )
            stream = getattr(_local, "stream", False)
            started = time.perf_counter()
            with splunk_span(method, endpoint) as span:
                response = client.send(request, stream=stream)
                span.set_attribute("http.response.status_code", response.status_code)
                if stream and response.status_code < 400:
                    reader: io.RawIOBase = _StreamedBody(response)  # timed to its head: the rest is read later
                else:
                    reader = _Body(response.read())
                    response.close()
            if self._observe is not None:
                self._observe(method, endpoint, time.perf_counter() - started)
            return {
                "status": response.status_code,
                "reason": response.reason_phrase,
                "headers": list(response.headers.multi_items()),
                "body": reader,
            }

        return handle

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
