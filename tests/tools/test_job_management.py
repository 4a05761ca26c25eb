"""Job management through an MCP client: listing the caller's jobs, extending a job's TTL, and reading the results
of a job started elsewhere, each under the caller's own Splunk identity."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from splunklib import client as splunk_client

from mcp_splunk.sandbox import Sandbox
from tests.support import ADMIN, ANALYST, RunningGateway, running_gateway, sandbox_defaults

VIEWER = {"X-Splunk-Username": "h7-viewer", "X-Splunk-Password": "viewer-pass"}


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    if sandbox.state.accounts.user("h7-viewer") is None:
        sandbox.add_user("h7-viewer", "viewer-pass", ("user",))
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def direct_job(sandbox: Sandbox, username: str, password: str, spl: str) -> str:
    """A finished job created straight through splunklib, as Splunk Web or a script would, not by the gateway."""
    service = splunk_client.connect(
        host="127.0.0.1", port=sandbox.port, scheme=sandbox.scheme, username=username, password=password
    )
    return str(service.jobs.create(spl, exec_mode="blocking").sid)


async def call(gateway: RunningGateway, headers: dict[str, str], tool: str, arguments: dict[str, Any]) -> Any:
    async with gateway.client(headers) as client:
        return await client.call_tool(tool, arguments, raise_on_error=False)


async def jobs_of(gateway: RunningGateway, headers: dict[str, str], **arguments: Any) -> dict[str, dict[str, Any]]:
    result = await call(gateway, headers, "list_search_jobs", {"count": 1000, **arguments})
    assert not result.is_error, result.content[0].text
    return {job["sid"]: job for job in result.structured_content["jobs"]}


async def test_the_list_shows_the_callers_jobs_and_which_the_gateway_started(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    run = await call(gateway, ANALYST, "run_search", {"query": "index=web | head 4"})
    ours = run.structured_content["sid"]
    theirs = direct_job(sandbox, "analyst", "analyst-pass", "search index=web | head 2")
    jobs = await jobs_of(gateway, ANALYST)
    assert jobs[ours]["started_by_gateway"] is True
    assert jobs[theirs]["started_by_gateway"] is False
    listed = jobs[ours]
    assert listed["search"] == "search index=web | head 4"
    assert listed["owner"] == "analyst"
    assert listed["dispatch_state"] == "DONE"
    assert listed["is_done"] is True
    assert listed["result_count"] == listed["event_count"] == 4
    assert listed["ttl_seconds"] > 0
    assert listed["age_seconds"] >= 0
    assert listed["created"].endswith("Z")
    assert {job["owner"] for job in jobs.values()} == {"analyst"}


async def test_other_users_jobs_are_listed_only_on_request_and_only_where_splunk_shows_them(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    analysts = direct_job(sandbox, "analyst", "analyst-pass", "search index=web | head 1")
    assert analysts not in await jobs_of(gateway, ADMIN)
    assert analysts in await jobs_of(gateway, ADMIN, include_other_users=True)  # an admin may see every job
    viewer = await jobs_of(gateway, VIEWER, include_other_users=True)
    assert analysts not in viewer  # splunkd shows a plain user only their own


async def test_touching_a_job_sets_its_time_to_live(gateway: RunningGateway, sandbox: Sandbox) -> None:
    sid = direct_job(sandbox, "analyst", "analyst-pass", "search index=web | head 1")
    result = await call(gateway, ANALYST, "touch_search_job", {"sid": sid, "ttl_seconds": 7200})
    assert not result.is_error, result.content[0].text
    assert result.structured_content["touched"] is True
    assert 7100 <= result.structured_content["ttl_seconds"] <= 7200
    assert 7100 <= (await jobs_of(gateway, ANALYST))[sid]["ttl_seconds"] <= 7200
    again = await call(gateway, ANALYST, "touch_search_job", {"sid": sid})
    assert 7100 <= again.structured_content["ttl_seconds"] <= 7200  # a plain touch restarts the same TTL


async def test_touching_another_users_job_is_refused_with_writes_off(gateway: RunningGateway, sandbox: Sandbox) -> None:
    sid = direct_job(sandbox, "analyst", "analyst-pass", "search index=web | head 1")
    result = await call(gateway, ADMIN, "touch_search_job", {"sid": sid, "ttl_seconds": 7200})
    assert result.is_error
    text = result.content[0].text
    assert "not touched" in text
    assert "MCP_SPLUNK_ALLOW_WRITES=true" in text
    assert (await jobs_of(gateway, ANALYST))[sid]["ttl_seconds"] < 7100


@pytest.mark.parametrize("ttl", [10, 10**6])
async def test_a_ttl_out_of_range_is_refused_naming_the_argument(gateway: RunningGateway, ttl: int) -> None:
    result = await call(gateway, ANALYST, "touch_search_job", {"sid": "1.1", "ttl_seconds": ttl})
    assert result.is_error
    assert "ttl_seconds" in result.content[0].text


async def test_results_of_a_job_started_elsewhere_are_read_by_sid_by_its_owner_only(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    sid = direct_job(sandbox, "analyst", "analyst-pass", "search index=web earliest=0 | head 6")
    own = await call(gateway, ANALYST, "get_search_results", {"sid": sid})
    assert not own.is_error, own.content[0].text
    assert own.structured_content["total"] == 6
    assert len(own.structured_content["results"]) == 6
    other = await call(gateway, VIEWER, "get_search_results", {"sid": sid})
    assert other.is_error
    assert other.structured_content["error"]["code"] == "not_found"
    assert sid in other.content[0].text
