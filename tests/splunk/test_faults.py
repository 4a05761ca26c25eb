"""Faults on the Splunk side: each gives a clear tool error, within the timeouts, and the gateway keeps serving.

Targets that are not a working splunkd (a closed port, a name that does not resolve, a port where something else
answers) all get one uniform error, so the gateway cannot be used to map which hosts and ports exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import anyio
import httpx
import pytest

from mcp_splunk.sandbox import Sandbox, SandboxOptions, SandboxProcess
from tests.support import ADMIN, FaultyServer, RunningGateway, closed_port, running_gateway, sandbox_defaults

TIMEOUTS = {"connect_timeout": 0.5, "read_timeout": 1.5}


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), **TIMEOUTS) as running:
        yield running


def at(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    return {
        "X-Splunk-Host": host,
        "X-Splunk-Port": str(port),
        "X-Splunk-Scheme": "http",
        "X-Splunk-Token": "fault-test-token-0123",
    }


async def call_whoami(gateway: RunningGateway, headers: dict[str, str]) -> dict[str, str]:
    async with gateway.client(headers) as client:
        result = await client.call_tool("whoami", {}, raise_on_error=False)
    assert result.is_error
    return result.structured_content["error"]


def without_target(message: str) -> str:
    """The message with the target URL taken out, to compare errors for different targets."""
    return message.split(": the host", 1)[1]


@pytest.mark.parametrize("mode", ["garbage", "truncated", "html_404", "not_http"])
async def test_something_other_than_splunkd_gets_the_same_error_as_a_closed_port(
    gateway: RunningGateway, mode: str
) -> None:
    server = FaultyServer(mode)
    try:
        impostor = await call_whoami(gateway, at(server.port))
    finally:
        server.close()
    closed = await call_whoami(gateway, at(closed_port()))
    assert impostor["code"] == closed["code"] == "splunk_unreachable"
    assert without_target(impostor["message"]) == without_target(closed["message"])


async def test_a_closed_port_and_an_unresolvable_name_get_the_same_error(gateway: RunningGateway) -> None:
    closed = await call_whoami(gateway, at(closed_port()))
    nowhere = await call_whoami(gateway, at(8089, "nonexistent-host.invalid"))
    assert closed["code"] == nowhere["code"] == "splunk_unreachable"
    assert without_target(nowhere["message"]) == without_target(closed["message"])


async def test_a_splunkd_500_is_reported_with_splunks_own_message(gateway: RunningGateway) -> None:
    server = FaultyServer("splunkd_500")
    try:
        error = await call_whoami(gateway, at(server.port))
    finally:
        server.close()
    assert error["code"] == "splunk_server_error"
    assert "Internal search process crashed" in error["message"]


async def test_a_silent_listener_times_out_while_other_clients_and_health_keep_answering(
    gateway: RunningGateway,
) -> None:
    server = FaultyServer("silent")
    try:

        async def stuck() -> dict[str, str]:
            return await call_whoami(gateway, at(server.port))

        async def healthy() -> tuple[int, str]:
            async with httpx.AsyncClient() as http:
                health = await http.get(f"{gateway.base}/health")
            async with gateway.client(ADMIN) as client:
                me = await client.call_tool("whoami", {})
            return health.status_code, me.structured_content["username"]

        with anyio.fail_after(20):
            stuck_calls = [asyncio.ensure_future(stuck()) for _ in range(16)]
            await asyncio.sleep(0.2)  # let the stuck calls reach the silent listener first
            assert await healthy() == (200, "admin")
            errors = await asyncio.gather(*stuck_calls)
    finally:
        server.close()
    assert {e["code"] for e in errors} == {"splunk_timeout"}


async def test_the_sandbox_killed_mid_search_leaves_the_gateway_serving(gateway: RunningGateway) -> None:
    running = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message and message.startswith("RUNNING"):
            running.set()

    with SandboxProcess(extra_args=["--job-latency", "5"]) as doomed:
        port = int(doomed.url.rsplit(":", 1)[1])
        headers = {
            "X-Splunk-Host": "127.0.0.1",
            "X-Splunk-Port": str(port),
            "X-Splunk-Scheme": "http",
            "X-Splunk-Username": "admin",
            "X-Splunk-Password": "changeme",
        }
        async with gateway.client(headers, progress_handler=on_progress) as client:
            search = asyncio.ensure_future(
                client.call_tool("run_search", {"query": "index=web | stats count"}, raise_on_error=False)
            )
            with anyio.fail_after(15):
                await running.wait()  # the job is running on the doomed sandbox: kill it now
            doomed.kill()
            with anyio.fail_after(20):
                result = await search
    assert result.is_error
    assert result.structured_content["error"]["code"] in ("splunk_unreachable", "splunk_timeout")
    async with gateway.client(ADMIN) as client:
        assert (await client.call_tool("whoami", {})).structured_content["username"] == "admin"


async def test_an_expired_splunkd_session_is_renewed_transparently(gateway: RunningGateway, sandbox: Sandbox) -> None:
    sandbox.add_user("fault-renew", "fault-renew-pw", roles=("user",))
    headers = {"X-Splunk-Username": "fault-renew", "X-Splunk-Password": "fault-renew-pw"}
    async with gateway.client(headers) as client:
        assert (await client.call_tool("whoami", {})).structured_content["username"] == "fault-renew"
        logins = gateway.gateway.pool.logins
        assert sandbox.expire_sessions("fault-renew") == 1
        assert (await client.call_tool("whoami", {})).structured_content["username"] == "fault-renew"
    assert gateway.gateway.pool.logins == logins + 1


async def test_a_slow_search_is_bounded_by_the_wait_budget_not_the_read_timeout(sandbox: Sandbox) -> None:
    with Sandbox(SandboxOptions(job_latency=3.0)) as slow, running_gateway(sandbox_defaults(slow), **TIMEOUTS) as gw:
        async with gw.client() as client:
            result = await client.call_tool("run_search", {"query": "index=web", "wait_seconds": 0.5})
    assert result.structured_content["done"] is False
