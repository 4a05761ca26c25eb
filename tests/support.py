"""Test helpers: real servers on free loopback ports, waited on by readiness, never by sleeping."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from pydantic import SecretStr

from mcp_splunk._serving import ThreadServer, listen_socket, uvicorn_config
from mcp_splunk.app import Gateway, create_gateway
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.settings import GatewaySettings, Settings, SplunkDefaults

ADMIN = {"X-Splunk-Username": "admin", "X-Splunk-Password": "changeme"}
ANALYST = {"X-Splunk-Username": "analyst", "X-Splunk-Password": "analyst-pass"}


def sandbox_defaults(sandbox: Sandbox, username: str = "admin", password: str = "changeme") -> SplunkDefaults:
    """Server defaults (SPLUNK_*) that point at ``sandbox``."""
    return SplunkDefaults(
        host="127.0.0.1",
        port=sandbox.port,
        scheme=sandbox.scheme,
        username=username,
        password=SecretStr(password),
        token=None,
        session_key=None,
        verify_ssl=True,
        ca_bundle=None,
    )


def no_defaults() -> SplunkDefaults:
    return SplunkDefaults(host=None, username=None, password=None, token=None, session_key=None)


@dataclass
class RunningGateway:
    gateway: Gateway
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.gateway.settings.gateway.path}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, headers: dict[str, str] | None = None, mode: str = "auto", **kwargs: Any) -> Client[Any]:
        return Client(StreamableHttpTransport(self.url, headers=headers or {}), mode=mode, **kwargs)


@contextmanager
def running_gateway(splunk: SplunkDefaults, **gateway_settings: Any) -> Iterator[RunningGateway]:
    gateway = create_gateway(Settings(splunk, GatewaySettings(**gateway_settings)))
    server = ThreadServer(uvicorn_config(gateway.http_app()), listen_socket("127.0.0.1", 0))
    server.start()
    try:
        yield RunningGateway(gateway, server.port)
    finally:
        server.stop()
        gateway.close()


@dataclass
class RecordingListener:
    """A loopback TCP listener that records every byte clients send it and answers nothing useful."""

    sock: socket.socket = field(default_factory=lambda: listen_socket("127.0.0.1", 0))
    received: bytearray = field(default_factory=bytearray)
    connections: int = 0

    def __post_init__(self) -> None:
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.received.extend(_read_request(conn))
                    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    continue

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def _read_request(conn: socket.socket) -> bytes:
    """One HTTP request: the head, then as many body bytes as its Content-Length announces."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


# -- raw MCP over httpx (handshake era) --------------------------------------------------------------------
ACCEPT = "application/json, text/event-stream"
HANDSHAKE = "2025-11-25"


def sse_messages(response: Any) -> list[dict[str, Any]]:
    import json  # noqa: PLC0415

    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return [
            json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()
        ]
    return [response.json()] if response.content else []


class RawSession:
    """A handshake-era MCP client over plain httpx, to control exactly which headers each request carries."""

    def __init__(self, http: Any, url: str) -> None:
        self.http = http
        self.url = url
        self.session_id: str | None = None
        self._next_id = 0

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def headers(self, extra: dict[str, str] | None = None, *, session: bool = True) -> dict[str, str]:
        headers = {"Accept": ACCEPT, "MCP-Protocol-Version": HANDSHAKE, **(extra or {})}
        if session and self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        return headers

    def initialize(self, extra: dict[str, str] | None = None) -> Any:
        body = {
            "jsonrpc": "2.0",
            "id": self._id(),
            "method": "initialize",
            "params": {"protocolVersion": HANDSHAKE, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
        }
        response = self.http.post(self.url, json=body, headers={"Accept": ACCEPT, **(extra or {})})
        self.session_id = response.headers.get("mcp-session-id")
        self.http.post(
            self.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=self.headers(extra)
        )
        return response

    def call(
        self,
        tool: str,
        arguments: dict[str, Any] | None = None,
        extra: dict[str, str] | None = None,
        *,
        session: bool = True,
    ) -> tuple[Any, dict[str, Any] | None]:
        body = {
            "jsonrpc": "2.0",
            "id": self._id(),
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments or {}},
        }
        response = self.http.post(self.url, json=body, headers=self.headers(extra, session=session))
        reply = next((m for m in sse_messages(response) if m.get("id") == body["id"]), None)
        return response, reply

    def delete(self) -> Any:
        return self.http.delete(self.url, headers=self.headers())


def structured(reply: dict[str, Any] | None) -> dict[str, Any]:
    assert reply is not None, "no JSON-RPC reply"
    assert "result" in reply, reply
    return dict(reply["result"].get("structuredContent") or {})


class FaultyServer:
    """A loopback server that misbehaves in one way, for every request (a broken or impostor splunkd)."""

    SPLUNKD_500 = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n'
        b'    <msg type="ERROR">Internal search process crashed</msg>\n  </messages>\n</response>\n'
    )
    REPLIES: ClassVar[dict[str, bytes]] = {
        "splunkd_500": b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml\r\nContent-Length: "
        + str(len(SPLUNKD_500)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + SPLUNKD_500,
        "garbage": b"HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\n\x00\xffthis is not splunkd",
        "truncated": b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"
        b"<feed xmlns=",
        "html_404": b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 21\r\n"
        b"Connection: close\r\n\r\n<h1>404 nginx</h1>\r\n",
        "not_http": b"SSH-2.0-OpenSSH_9.6\r\n",
    }

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = listen_socket("127.0.0.1", 0)
        self.connections = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.mode == "silent":
                self._held.append(conn)  # accept and never answer
                continue
            with conn:
                try:
                    conn.settimeout(2)
                    _read_request(conn) if self.mode != "not_http" else None
                    conn.sendall(self.REPLIES[self.mode])
                except OSError:
                    continue

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


def ok(result: Any) -> dict[str, Any]:
    """The structured result of a tool call that must have succeeded (its text shown if it did not)."""
    assert not result.is_error, result.content[0].text
    return dict(result.structured_content or {})


def error(result: Any) -> dict[str, Any]:
    """The ``error`` object of a tool call that must have failed."""
    assert result.is_error, result.structured_content
    return dict(result.structured_content["error"])


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    sock = listen_socket("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    sock.close()
    return port


# A valid call per registered tool ("SID" stands for a finished job's sid); tests that cover every tool use it
# and fail when a tool is added without an entry here.
SAMPLE_CALLS: dict[str, dict[str, Any]] = {
    "run_search": {"query": "index=main | head 3"},
    "export_search": {"query": "index=main | head 3"},
    "get_search_results": {"sid": "SID"},
    "get_search_job": {"sid": "SID"},
    "list_search_jobs": {"count": 5},
    "touch_search_job": {"sid": "SID"},
    "cancel_search_job": {"sid": "SID"},
    "validate_spl": {"query": "index=main | stats count"},
    "explain_spl": {"query": "index=main error | stats count by host"},
    "list_indexes": {},
    "get_index_info": {"name": "main"},
    "list_sourcetypes": {},
    "list_sources": {},
    "list_hosts": {},
    "get_field_summary": {"index": "web", "max_fields": 3},
    "find_data_source": {"keywords": "web access", "max_pairs": 2},
    "list_saved_searches": {},
    "get_saved_search": {"name": "Top URIs"},
    "run_saved_search": {"name": "Top URIs"},
    "list_fired_alerts": {},
    "list_macros": {},
    "list_lookups": {},
    "read_lookup": {"name": "http_status.csv", "limit": 3},
    "list_apps": {},
    "list_dashboards": {},
    "get_dashboard": {"name": "web_overview"},
    "list_kvstore_collections": {},
    "query_kvstore": {"collection": "assets", "limit": 2},
    "insert_kvstore_records": {"collection": "assets", "records": [{"_key": "hygiene-1", "hostname": "h1"}]},
    "update_kvstore_record": {"collection": "assets", "key": "hygiene-1", "record": {"hostname": "h2"}},
    "delete_kvstore_records": {"collection": "assets", "keys": ["hygiene-1"], "confirm": True},
    "user_agent_info": {},
    "whoami": {},
    "get_server_info": {},
    "list_users": {},
    "list_roles": {},
    "get_splunk_health": {},
    "get_configuration": {"conf_file": "server"},
    "create_saved_search": {"name": "Hygiene check", "search": "index=main | head 1", "earliest_time": "-1h"},
    "update_saved_search": {"name": "Hygiene check", "description": "updated"},
    "update_alert": {
        "name": "Hygiene check",
        "cron_schedule": "*/30 * * * *",
        "alert_comparator": "greater than",
        "alert_threshold": 5,
    },
    "delete_saved_search": {"name": "Hygiene check", "confirm": True},
    # Left in place: a repeat of the same create is a no-op, so every module can run these.
    "create_alert": {
        "name": "Hygiene alert",
        "search": "index=main error | stats count",
        "cron_schedule": "0 * * * *",
        "suppress": True,
        "suppress_period": "1h",
    },
    "create_dashboard": {
        "name": "hygiene_dashboard",
        "definition": "<dashboard><label>Hygiene</label><row><panel>"
        "<table><search><query>index=main | head 1</query></search></table></panel></row></dashboard>",
    },
    "update_dashboard": {
        "name": "hygiene_dashboard",
        "definition": '{"title": "Hygiene", "visualizations": {"v": '
        '{"type": "splunk.table", "dataSources": {"primary": "s"}}}, "dataSources": {"s": '
        '{"type": "ds.search", "options": {"query": "index=main | head 1"}}}}',
    },
    "delete_dashboard": {"name": "hygiene_dashboard", "confirm": True},
    "upload_lookup_file": {"name": "hygiene.csv", "content": "host,owner\nweb-01,alice\n", "confirm": True},
    "create_lookup_definition": {"name": "hygiene_lookup", "filename": "hygiene.csv"},
}
