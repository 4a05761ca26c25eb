"""Long searches as MCP tasks (MCP_SPLUNK_TASKS), through FastMCP's task-capable client against the sandbox: a
search runs as a task that is polled and returns its rows, cancelling a task cancels its Splunk job, another
identity can neither read nor cancel it, and a handshake-era client keeps the synchronous call with progress."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastmcp_tasks import call_tool_task
from fastmcp_tasks.client import _send_cancel, _send_get
from mcp.shared.exceptions import MCPError

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.support import ADMIN, ANALYST, RunningGateway, running_gateway, sandbox_defaults


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=1.0)) as running:
        yield running


@pytest.fixture(scope="module")
def tasks(slow_sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(slow_sandbox), tasks=True) as running:
        yield running


def marked() -> str:
    """A search whose SPL names it, so the test finds its job in the sandbox; three rows, known in advance."""
    return f'| makeresults count=3 | eval marker="{uuid.uuid4().hex}"'


async def job_of(sandbox: Sandbox, query: str) -> str:
    with anyio.fail_after(10):  # the worker starts the job soon after the task is created; wait for it, bounded
        while not (sids := [job.sid for job in sandbox.state.jobs.list() if job.search.endswith(query[-34:])]):
            await anyio.sleep(0.05)
    return sids[0]


async def test_a_search_runs_as_a_task_that_is_polled_and_returns_its_rows(
    tasks: RunningGateway, slow_sandbox: Sandbox
) -> None:
    async with tasks.client(ANALYST) as client:
        task = await call_tool_task(client, "run_search", {"query": marked(), "wait_seconds": 30})
        assert (await task.status()).status in ("working", "completed")
        with anyio.fail_after(30):
            result = await task.result()
    assert result.structured_content is not None
    assert result.structured_content["done"] is True
    assert len(result.structured_content["results"]) == 3
    (job,) = [job for job in slow_sandbox.state.jobs.list() if job.sid == result.structured_content["sid"]]
    assert job.owner == "analyst"  # the worker searched as the caller, not as the server's default (admin)


async def test_cancelling_a_task_cancels_its_splunk_job(tasks: RunningGateway, slow_sandbox: Sandbox) -> None:
    query = marked()
    async with tasks.client(ANALYST) as client:
        task = await call_tool_task(client, "run_search", {"query": query, "wait_seconds": 30})
        sid = await job_of(slow_sandbox, query)
        await task.cancel()
        with anyio.fail_after(10):  # the gateway cancels the job as the task's body is cancelled; bounded wait
            while not slow_sandbox.job_cancelled(sid):
                await anyio.sleep(0.05)
        assert (await task.status()).status == "cancelled"


async def test_another_identity_can_neither_read_nor_cancel_a_task(
    tasks: RunningGateway, slow_sandbox: Sandbox
) -> None:
    query = marked()
    async with tasks.client(ANALYST) as owner, tasks.client(ADMIN) as other:
        task = await call_tool_task(owner, "run_search", {"query": query, "wait_seconds": 30})
        for send in (_send_get, _send_cancel):
            with pytest.raises(MCPError, match="not found") as refused:
                await send(other.session, task.task_id)
            assert refused.value.error.message == f"Task {task.task_id} not found"
        with anyio.fail_after(30):
            result = await task.result()
    assert len((result.structured_content or {})["results"]) == 3
    assert not slow_sandbox.job_cancelled(await job_of(slow_sandbox, query))


async def test_a_handshake_era_client_gets_the_synchronous_call_with_progress(tasks: RunningGateway) -> None:
    seen: list[Any] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        seen.append(done)

    async with tasks.client(ANALYST, mode="legacy") as client:
        with anyio.fail_after(30):
            result = await client.call_tool(
                "run_search", {"query": marked(), "wait_seconds": 30}, progress_handler=progress
            )
    assert result.structured_content is not None
    assert result.structured_content["done"] is True
    assert len(result.structured_content["results"]) == 3
    assert seen
