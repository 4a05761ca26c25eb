"""The shared dispatch → wait → first page path (``job_results``), through run_saved_search over HTTP against a
sandbox whose jobs take two seconds: progress while it runs, the sid when it outlives the wait, and the Splunk
job cancelled when the tool call is."""

from __future__ import annotations

import anyio
import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import RunningGateway

WEB_ERRORS = "Web errors by host"


def jobs_of(sandbox: Sandbox, name: str) -> list[str]:
    return [job.sid for job in sandbox.state.jobs.list() if job.saved_search == name]


async def test_progress_is_reported_while_the_saved_search_runs(slow_gateway: RunningGateway) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    async with slow_gateway.client(progress_handler=on_progress) as client:
        result = await client.call_tool("run_saved_search", {"name": WEB_ERRORS})
    assert result.structured_content["done"] is True
    assert len(seen) >= 3
    assert seen[-1][0] == 1.0
    assert any(0 < p < 1 for p, _ in seen)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)


async def test_a_saved_search_that_outlives_the_wait_returns_its_sid_for_later(
    slow_gateway: RunningGateway, slow_sandbox: Sandbox
) -> None:
    async with slow_gateway.client() as client:
        early = (
            await client.call_tool("run_saved_search", {"name": WEB_ERRORS, "wait_seconds": 0.2})
        ).structured_content
        assert early["done"] is False
        assert early["saved_search"] == WEB_ERRORS
        assert early["sid"] in jobs_of(slow_sandbox, WEB_ERRORS)
        job = (await client.call_tool("get_search_job", {"sid": early["sid"]})).structured_content
    assert job["sid"] == early["sid"]


async def test_cancelling_the_tool_call_cancels_the_saved_searchs_job(
    slow_gateway: RunningGateway, slow_sandbox: Sandbox
) -> None:
    before = set(slow_sandbox.cancelled_jobs())
    async with slow_gateway.client() as client:
        with pytest.raises(Exception, match="timed out"):
            await client.call_tool("run_saved_search", {"name": WEB_ERRORS}, timeout=0.5)
    with anyio.fail_after(10):  # the gateway cancels as soon as the call is cancelled; wait for it, bounded
        while not set(slow_sandbox.cancelled_jobs()) - before:
            await anyio.sleep(0.05)
    (sid,) = set(slow_sandbox.cancelled_jobs()) - before
    assert "__RMD5" in sid  # splunkd's sid shape for a saved search's dispatch, not an ad hoc search
    assert slow_sandbox.state.jobs.get(sid) is None
