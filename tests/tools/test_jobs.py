"""Waiting on a search job: progress is reported while a job runs, and not at all for one already finished."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.config import resolve_config
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.tools.jobs import JobStatus, wait_for_job
from mcp_splunk.tools.splunk_client import SplunkClient
from tests.support import sandbox_defaults


@pytest.fixture(scope="module")
def slowish_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=0.5)) as running:
        yield running


def client_for(sandbox: Sandbox) -> Iterator[SplunkClient]:
    pool = ConnectionPool(GatewaySettings())
    try:
        yield SplunkClient(pool, resolve_config(None, None, sandbox_defaults(sandbox)))
    finally:
        pool.close()


@pytest.fixture
def splunk(sandbox: Sandbox) -> Iterator[SplunkClient]:
    yield from client_for(sandbox)


@pytest.fixture
def slow_splunk(slowish_sandbox: Sandbox) -> Iterator[SplunkClient]:
    yield from client_for(slowish_sandbox)


async def test_a_job_finished_before_the_first_poll_reports_no_progress(splunk: SplunkClient) -> None:
    sid = await splunk.run(ops.create_job, "search index=web | head 3", exec_mode="blocking")
    reported: list[JobStatus] = []

    async def report(status: JobStatus) -> None:
        reported.append(status)

    status = await wait_for_job(splunk, sid, 10.0, report)
    assert status.is_done
    assert status.result_count == 3
    assert reported == []


async def test_a_running_job_reports_each_change_up_to_done(slow_splunk: SplunkClient) -> None:
    sid = await slow_splunk.run(ops.create_job, "search index=web | head 3")
    reported: list[JobStatus] = []

    async def report(status: JobStatus) -> None:
        reported.append(status)

    status = await wait_for_job(slow_splunk, sid, 10.0, report)
    assert status.is_done
    assert reported[-1] == status
    assert not reported[0].is_done
    markers = [(s.dispatch_state, s.done_progress, s.scan_count) for s in reported]
    assert all(a != b for a, b in pairwise(markers))
