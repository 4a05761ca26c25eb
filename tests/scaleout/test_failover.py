"""Replicas dying and restarting under load: a SIGKILL costs only the calls in flight on the victim, and a rolling
restart with drain costs none. Calls take a while (the sandbox makes every job last 0.3 s), so some are always in
flight when a replica goes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk._serving import ServerProcess, gateway_process
from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.scaleout.conftest import Replicas, replicas

WORKERS = 8
ANALYSTS = [f"fail{i}" for i in range(WORKERS)]


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=0.3)) as running:
        for name in ANALYSTS:
            running.add_user(name, f"pw-{name}", ("user",))
        yield running


@pytest.fixture
def trio(slow_sandbox: Sandbox, tmp_path: Path) -> Iterator[Replicas]:
    with replicas(slow_sandbox, tmp_path, trusted_proxies="127.0.0.1", drain_seconds="20") as running:
        yield running


class Load:
    """WORKERS callers, each its own Splunk user, running searches until told to stop; every outcome recorded."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ok = 0
        self.failures: list[str] = []
        self.wrong_user: list[tuple[str, str]] = []
        self.stop = anyio.Event()

    async def worker(self, name: str) -> None:
        headers = {"X-Splunk-Username": name, "X-Splunk-Password": f"pw-{name}"}
        while not self.stop.is_set():
            try:
                async with Client(StreamableHttpTransport(self.url, headers=headers)) as session:
                    while not self.stop.is_set():
                        await self.call(session, name)
            except Exception as exc:  # a broken connection ends this client; the next one reconnects
                self.failures.append(f"{name}: {type(exc).__name__}: {exc}"[:200])

    async def call(self, session: Client[Any], name: str) -> None:
        result = await session.call_tool("run_search", {"query": "index=main | head 3 | table host"})
        data = await session.call_tool("whoami", {})
        if data.structured_content["username"] != name:
            self.wrong_user.append((name, data.structured_content["username"]))
        assert len(result.structured_content["results"]) == 3
        self.ok += 1

    async def during(self, action: Callable[[], Awaitable[None]]) -> None:
        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for name in ANALYSTS:
                    group.start_soon(self.worker, name)
                await self.until(lambda: self.ok >= WORKERS)  # everyone is calling
                await action()
                settled = self.ok
                await self.until(lambda: self.ok >= settled + 2 * WORKERS)  # and goes on calling afterwards
                self.stop.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await anyio.sleep(0.05)


async def test_killing_a_replica_fails_only_calls_in_flight_on_it_and_never_answers_as_another_user(
    trio: Replicas,
) -> None:
    load = Load(trio.url)

    async def kill() -> None:
        trio.processes[1].kill()

    await load.during(kill)
    assert load.wrong_user == []
    # At most the calls in flight on the victim: one per worker at the very most.
    assert len(load.failures) <= WORKERS, load.failures


async def test_a_rolling_restart_with_drain_loses_no_call(trio: Replicas) -> None:
    load = Load(trio.url)
    restarted: list[ServerProcess] = []

    async def roll() -> None:
        for index, old in enumerate(trio.processes):
            port = trio.ports[index]
            env = dict(old.env)
            await anyio.to_thread.run_sync(old.stop, 30.0)  # SIGTERM: drain, then exit
            assert old.process is not None
            assert old.process.returncode == 0
            up = f"Server replicas/gw{index + 1} is UP"
            seen = trio.balancer_log().count(up)
            new = gateway_process("--stateless", "--port", str(port), env=env)
            await anyio.to_thread.run_sync(new.start)
            restarted.append(new)
            # A rolling restart takes the next replica down only once the balancer has this one back.
            await load.until(lambda up=up, seen=seen: trio.balancer_log().count(up) > seen)

    try:
        await load.during(roll)
        log = trio.balancer_log()
    finally:
        for process in restarted:
            process.stop()
    assert load.failures == []
    assert load.wrong_user == []
    # The balancer's own checks saw each draining replica's 503 and took it out, then brought the new one back.
    for name in ("gw1", "gw2", "gw3"):
        assert f"Server replicas/{name} is DOWN, reason: Layer7 wrong status, code: 503" in log, log
        assert log.rindex(f"Server replicas/{name} is UP") > log.rindex(f"Server replicas/{name} is DOWN")
