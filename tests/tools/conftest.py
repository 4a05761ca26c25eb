"""Fixtures for the tool tests: a gateway with writes on (one per module), and for tests that need searches to take
time, a sandbox whose jobs run for two seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.support import RunningGateway, running_gateway, sandbox_defaults


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=2.0)) as running:
        yield running


@pytest.fixture(scope="module")
def slow_gateway(slow_sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(slow_sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def writable(sandbox: Sandbox) -> Iterator[RunningGateway]:
    """A gateway on the shared sandbox with MCP_SPLUNK_ALLOW_WRITES on."""
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True) as running:
        yield running
