"""Three gateway replicas behind a real haproxy, sharing a real Redis, in front of the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest

from mcp_splunk._serving import ServerProcess
from mcp_splunk.sandbox import Sandbox
from tests.engines import RedisServer, haproxy, redis_server, replica


@dataclass
class Replicas:
    url: str  # the balancer's MCP URL
    processes: list[ServerProcess]
    directory: Path

    @property
    def ports(self) -> list[int]:
        return [int(p.url.rsplit(":", 1)[1].split("/")[0]) for p in self.processes]

    def audit(self) -> dict[str, list[dict[str, Any]]]:
        """Each replica's audit lines so far, by replica name."""
        found: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(self.directory.glob("*.audit")):
            text = path.read_text() if path.exists() else ""
            found[path.stem] = [json.loads(line) for line in text.splitlines() if line.strip()]
        return found

    def balancer_log(self) -> str:
        """What haproxy's health checks decided so far."""
        return (self.directory / "haproxy.log").read_text()

    async def audit_when(self, ready: Callable[[dict[str, list[dict[str, Any]]]], bool]) -> dict[str, Any]:
        """The audit once ``ready`` says so: lines are written by a thread, at most 0.1 s after each call."""
        with anyio.fail_after(10):
            while not ready(found := self.audit()):
                await anyio.sleep(0.05)
        return found


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@contextmanager
def replicas(
    sandbox: Sandbox,
    directory: Path,
    count: int = 3,
    *,
    backend: str = "replicas",
    stateless: bool = True,
    **settings: str,
) -> Iterator[Replicas]:
    """``count`` replicas started side by side, then haproxy (its ``backend``) over them."""
    directory.mkdir(parents=True, exist_ok=True)
    processes = [
        replica(sandbox.port, directory, f"gw{i}", stateless=stateless, **settings) for i in range(1, count + 1)
    ]
    with ExitStack() as stack:
        with ThreadPoolExecutor(count) as pool:
            list(pool.map(lambda p: p.start(timeout=60), processes))
        stack.callback(lambda: list(ThreadPoolExecutor(count).map(lambda p: p.stop(), processes)))
        running = Replicas("", processes, directory)
        running.url = stack.enter_context(haproxy(running.ports, directory, backend=backend))
        yield running
