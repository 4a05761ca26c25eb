"""SIGTERM drains ``mcp-splunk serve``: /health says so, new connections are refused, calls in flight finish.

Gateways run as child processes and are signalled for real; the Splunk behind them is a sandbox whose search jobs
take ``JOB_LATENCY`` seconds, so a ``run_search`` is still in flight when the signal arrives (a call counts as in
flight once its first progress event is read). Both protocol eras are driven over raw HTTP: a 2025 (handshake)
call is answered by sse-starlette, a 2026-07-28 call by the SDK's own SSE writer, and each used to lose its result
in its own way. Waits are on conditions, each bounded by ``anyio.fail_after``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
import httpx
import pytest

from mcp_splunk._serving import ServerProcess, gateway_process
from mcp_splunk.http.health import NOTICE_SECONDS
from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.support import ACCEPT, HANDSHAKE, RunningGateway, no_defaults, running_gateway

JOB_LATENCY = 5.0  # longer than the notice window, so a call outlives the listener
MODERN = "2026-07-28"
ERAS = [HANDSHAKE, MODERN]
EXIT_MARGIN = 3.0  # interpreter and sandbox teardown after the drain itself
CALL_ID = 7


@pytest.fixture(scope="module")
def slow_splunk() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=JOB_LATENCY), host="127.0.0.1", port=0) as running:
        yield running


def serve(splunk: Sandbox, drain_seconds: float, *args: str) -> ServerProcess:
    env = {
        "SPLUNK_HOST": "127.0.0.1",
        "SPLUNK_PORT": str(splunk.port),
        "SPLUNK_SCHEME": "http",
        "SPLUNK_USERNAME": "admin",
        "SPLUNK_PASSWORD": "changeme",
        "MCP_SPLUNK_DRAIN_SECONDS": str(drain_seconds),
    }
    return gateway_process(*args, env=env).start()


def run_search(era: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A ``run_search`` request with a progress token, as ``era``'s clients send it (body, headers)."""
    meta: dict[str, Any] = {"progressToken": 1}
    headers = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": era}
    if era == MODERN:
        meta |= {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientInfo": {"name": "drain-test", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        headers |= {"Mcp-Method": "tools/call", "Mcp-Name": "run_search"}
    params = {"name": "run_search", "arguments": {"query": "index=web | head 3"}, "_meta": meta}
    return {"jsonrpc": "2.0", "id": CALL_ID, "method": "tools/call", "params": params}, headers


@dataclass
class Call:
    """One streamed tool call: every SSE message it received, and how its response ended."""

    in_flight: anyio.Event = field(default_factory=anyio.Event)
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: httpx.HTTPError | None = None
    status: int = 0

    async def run(self, url: str, era: str) -> None:
        body, headers = run_search(era)
        try:
            async with (
                httpx.AsyncClient(timeout=30) as http,
                http.stream("POST", url, json=body, headers=headers) as response,
            ):
                self.status = response.status_code
                async for line in response.aiter_lines():
                    if line.startswith("data:") and line[5:].strip():
                        self.messages.append(json.loads(line[5:]))
                        self.in_flight.set()
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.in_flight.set()  # a call that failed early must not leave the test waiting

    @property
    def reply(self) -> dict[str, Any] | None:
        return next((m for m in self.messages if m.get("id") == CALL_ID), None)


async def probe(base: str, path: str = "/health") -> httpx.Response:
    """A GET on a new connection of its own."""
    async with httpx.AsyncClient(timeout=5) as http:
        return await http.get(base + path)


async def until_refused(base: str) -> None:
    while True:
        try:
            await probe(base)
        except httpx.ConnectError:
            return
        except httpx.RemoteProtocolError:
            # Connected just as the listener closed (accepted, or still in the kernel's queue), so closed
            # unanswered: the next connection is refused.
            pass
        await anyio.sleep(0.05)  # polling a condition, bounded by the caller's fail_after


async def exit_status(process: ServerProcess, within: float) -> int:
    """The exit status, once the process exits; ``subprocess.TimeoutExpired`` if it does not within ``within``."""
    assert process.process is not None
    return await anyio.to_thread.run_sync(partial(process.process.wait, within))


async def sigterm_mid_call(gateway: ServerProcess, call: Call) -> None:
    """SIGTERM the gateway once ``call`` is in flight on it."""
    with anyio.fail_after(10):
        await call.in_flight.wait()
    os.kill(gateway.pid, signal.SIGTERM)


def base_of(gateway: ServerProcess) -> str:
    return gateway.url.removesuffix("/mcp")


@pytest.mark.parametrize("era", ERAS)
async def test_a_call_in_flight_at_sigterm_completes_while_health_says_draining_and_the_listener_closes(
    slow_splunk: Sandbox, era: str
) -> None:
    drain = 30.0
    gateway = serve(slow_splunk, drain, "--stateless")
    base = base_of(gateway)
    try:
        call = Call()
        async with anyio.create_task_group() as calls:
            calls.start_soon(call.run, gateway.url, era)
            await sigterm_mid_call(gateway, call)
            signalled = time.monotonic()
            with anyio.fail_after(1):
                readiness = await probe(base)
            assert (readiness.status_code, readiness.json()["status"]) == (503, "draining")
            assert readiness.headers["connection"] == "close"
            liveness = await probe(base, "/health/live")
            assert (liveness.status_code, liveness.json()["status"]) == (200, "draining")
            with anyio.fail_after(NOTICE_SECONDS + 2):
                await until_refused(base)
            assert call.reply is None, "the call ended before the listener closed: it proves nothing"
        status = await exit_status(gateway, drain)
        assert time.monotonic() - signalled < drain / 2  # exits once the last call answered, not at the deadline
    finally:
        gateway.stop()
    assert (call.error, call.status) == (None, 200)
    assert call.reply is not None, call.messages
    result = call.reply["result"]
    assert not result.get("isError"), result
    assert len(result["structuredContent"]["results"]) == 3
    assert status == 0


@pytest.mark.parametrize("era", ERAS)
async def test_a_call_longer_than_the_drain_fails_clearly_and_the_process_exits_within_the_drain(
    slow_splunk: Sandbox, era: str
) -> None:
    drain = 1.0
    gateway = serve(slow_splunk, drain, "--stateless")
    try:
        call = Call()
        async with anyio.create_task_group() as calls:
            calls.start_soon(call.run, gateway.url, era)
            await sigterm_mid_call(gateway, call)
            status = await exit_status(gateway, drain + EXIT_MARGIN)
    finally:
        gateway.stop()
    assert status == 0
    # Cut mid-response: a broken stream the client reports, never one that ends normally without a result.
    assert isinstance(call.error, httpx.RemoteProtocolError), (call.error, call.messages)
    assert call.reply is None


async def test_a_stream_that_only_listens_is_ended_and_does_not_hold_the_drain_open() -> None:
    drain = 30.0
    gateway = gateway_process("--sandbox", env={"MCP_SPLUNK_DRAIN_SECONDS": str(drain)}).start()
    headers = {"Accept": ACCEPT, "MCP-Protocol-Version": HANDSHAKE}
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": HANDSHAKE, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            opened = await http.post(gateway.url, json=initialize, headers=headers)
            headers["Mcp-Session-Id"] = opened.headers["mcp-session-id"]
            await http.post(
                gateway.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
            )
            async with http.stream("GET", gateway.url, headers=headers) as listening:
                assert listening.headers["content-type"].startswith("text/event-stream")
                os.kill(gateway.pid, signal.SIGTERM)
                with anyio.fail_after(NOTICE_SECONDS + EXIT_MARGIN), pytest.raises(httpx.RemoteProtocolError):
                    async for _ in listening.aiter_bytes():
                        pass
        status = await exit_status(gateway, NOTICE_SECONDS + EXIT_MARGIN)
    finally:
        gateway.stop()
    assert status == 0


async def test_a_second_sigterm_stops_at_once_even_with_a_call_in_flight(slow_splunk: Sandbox) -> None:
    gateway = serve(slow_splunk, 30.0, "--stateless")
    base = base_of(gateway)
    try:
        call = Call()
        async with anyio.create_task_group() as calls:
            calls.start_soon(call.run, gateway.url, MODERN)
            await sigterm_mid_call(gateway, call)
            with anyio.fail_after(1):
                assert (await probe(base)).status_code == 503  # the first signal has been handled
            os.kill(gateway.pid, signal.SIGTERM)
            status = await exit_status(gateway, EXIT_MARGIN)
    finally:
        gateway.stop()
    assert status == 0
    assert call.reply is None
    assert call.error is not None


# -- /health and the Host header (an in-process gateway) -----------------------------------------------------
@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    with running_gateway(no_defaults()) as running:
        yield running


async def raw_answer(port: int, request: bytes) -> tuple[int, bytes]:
    """The status and body of one request written byte for byte (httpx always sends a Host, and HTTP/1.1)."""
    with anyio.fail_after(10):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_health_answers_a_probe_over_http_1_0_without_a_host(gateway: RunningGateway) -> None:
    status, body = await raw_answer(gateway.port, b"GET /health HTTP/1.0\r\n\r\n")
    assert (status, json.loads(body)["status"]) == (200, "ok")


# /health/live needs a Host, like every path but /health: the authority check lets only /health go without one.
@pytest.mark.parametrize("path", ["/health", "/health/live"])
async def test_health_answers_a_balancers_own_host_that_mcp_would_refuse(gateway: RunningGateway, path: str) -> None:
    for host in ("mcp-backend", "mcp-backend:8003", "10.1.2.3:8003", "[2001:db8::7]:8003"):
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        status, body = await raw_answer(gateway.port, request.encode())
        assert (status, json.loads(body)["status"]) == (200, "ok"), host


async def test_mcp_still_refuses_the_host_that_health_accepts(gateway: RunningGateway) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            gateway.url,
            headers={"Host": "mcp-backend", "Accept": ACCEPT, "MCP-Protocol-Version": HANDSHAKE},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    assert response.status_code == 421


async def test_while_draining_health_is_503_and_every_response_asks_the_client_to_reconnect() -> None:
    with running_gateway(no_defaults()) as running:
        running.gateway.drain.begin()
        async with httpx.AsyncClient(timeout=10) as http:
            readiness = await http.get(f"{running.base}/health")
            liveness = await http.get(f"{running.base}/health/live")
            other = await http.get(f"{running.base}/nowhere")
    assert (readiness.status_code, readiness.json()["status"]) == (503, "draining")
    assert (liveness.status_code, liveness.json()["status"]) == (200, "draining")
    assert other.status_code == 404
    assert {readiness.headers["connection"], liveness.headers["connection"], other.headers["connection"]} == {"close"}
