"""cancel_search_job: with writes off an identity may cancel only the jobs it owns; another user's job needs
MCP_SPLUNK_ALLOW_WRITES=true (and Splunk's permission), and the README's Kind column says exactly that.

Jobs run for two seconds in the slow sandbox, so each test cancels a job that is still running; the owner is the
Splunk user whose X-Splunk-* headers dispatched it (splunkd's ``eai:acl`` owner)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from splunklib import client as splunk_client

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.tools.registry import TOOLS
from tests.support import ADMIN, ANALYST, RunningGateway, running_gateway, sandbox_defaults

README = Path(__file__).resolve().parents[2] / "README.md"
WRITES_ONLY = "write (only with `MCP_SPLUNK_ALLOW_WRITES=true`)"


@pytest.fixture(scope="module")
def read_only(slow_sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(slow_sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def writable(slow_sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(slow_sandbox), allow_writes=True) as running:
        yield running


async def start_job(gateway: RunningGateway, identity: dict[str, str]) -> str:
    """A search job dispatched as ``identity`` through the gateway, returned while it still runs."""
    async with gateway.client(identity) as client:
        early = await client.call_tool("run_search", {"query": "index=web", "wait_seconds": 0.2})
    assert early.structured_content["done"] is False
    return str(early.structured_content["sid"])


async def cancel(gateway: RunningGateway, identity: dict[str, str], sid: str) -> Any:
    async with gateway.client(identity) as client:
        return await client.call_tool("cancel_search_job", {"sid": sid}, raise_on_error=False)


def assert_gone(sandbox: Sandbox, sid: str) -> None:
    assert sandbox.job_cancelled(sid)
    assert sandbox.state.jobs.get(sid) is None


def assert_untouched(sandbox: Sandbox, sid: str) -> None:
    job = sandbox.state.jobs.get(sid)
    assert job is not None
    assert not sandbox.job_cancelled(sid)
    assert not job.stop.is_set()


def kind_column() -> dict[str, str]:
    """Tool name -> the README catalogue's Kind cell."""
    text = README.read_text()
    tools = text[text.index("### Tools") : text.index("### Resources")]
    rows = re.findall(r"^\| `(\w+)` \| .+ \| ([^|]+) \|$", tools, flags=re.M)
    return {name: kind.strip() for name, kind in rows}


@pytest.mark.parametrize("identity", [ADMIN, ANALYST], ids=["admin", "analyst"])
async def test_with_writes_off_a_user_cancels_their_own_running_job(
    read_only: RunningGateway, slow_sandbox: Sandbox, identity: dict[str, str]
) -> None:
    sid = await start_job(read_only, identity)
    result = await cancel(read_only, identity, sid)
    assert not result.is_error, result.content[0].text
    assert result.structured_content == {"sid": sid, "cancelled": True}
    assert_gone(slow_sandbox, sid)


async def test_with_writes_off_a_user_cancels_their_own_job_before_splunkd_reports_its_status(
    read_only: RunningGateway, slow_sandbox: Sandbox
) -> None:
    # Straight after dispatch splunkd answers the job's status with 204 and no owner: the gate waits, not refuses.
    service = splunk_client.connect(
        host="127.0.0.1",
        port=slow_sandbox.port,
        scheme=slow_sandbox.scheme,
        username="analyst",
        password="analyst-pass",
    )
    sid = str(service.jobs.create("search index=web").sid)
    result = await cancel(read_only, ANALYST, sid)
    assert not result.is_error, result.content[0].text
    assert_gone(slow_sandbox, sid)


async def test_with_writes_off_cancelling_another_users_job_is_refused_naming_the_setting_and_the_job_runs_on(
    read_only: RunningGateway, slow_sandbox: Sandbox
) -> None:
    sid = await start_job(read_only, ANALYST)
    try:
        # admin may see every job, so only the gateway's gate stands between it and the analyst's job.
        result = await cancel(read_only, ADMIN, sid)
        assert result.is_error
        assert result.structured_content["error"]["code"] == "policy_violation"
        text = result.content[0].text
        assert "MCP_SPLUNK_ALLOW_WRITES=true" in text
        assert "analyst" in text
        assert "not cancelled" in text
        assert_untouched(slow_sandbox, sid)
    finally:
        assert not (await cancel(read_only, ANALYST, sid)).is_error


async def test_with_writes_off_a_job_splunk_hides_from_the_caller_is_not_found_and_runs_on(
    read_only: RunningGateway, slow_sandbox: Sandbox
) -> None:
    sid = await start_job(read_only, ADMIN)
    try:
        result = await cancel(read_only, ANALYST, sid)
        assert result.is_error
        assert result.structured_content["error"]["code"] == "not_found"
        assert_untouched(slow_sandbox, sid)
    finally:
        assert not (await cancel(read_only, ADMIN, sid)).is_error


async def test_with_writes_on_an_admin_cancels_another_users_job(
    writable: RunningGateway, slow_sandbox: Sandbox
) -> None:
    sid = await start_job(writable, ANALYST)
    result = await cancel(writable, ADMIN, sid)
    assert not result.is_error, result.content[0].text
    assert result.structured_content == {"sid": sid, "cancelled": True}
    assert_gone(slow_sandbox, sid)


async def test_with_writes_on_splunk_still_decides_whose_jobs_a_user_may_cancel(
    writable: RunningGateway, slow_sandbox: Sandbox
) -> None:
    sid = await start_job(writable, ADMIN)
    try:
        result = await cancel(writable, ANALYST, sid)
        assert result.is_error
        assert result.structured_content["error"]["code"] == "not_found"
        assert_untouched(slow_sandbox, sid)
    finally:
        assert not (await cancel(writable, ADMIN, sid)).is_error


async def test_the_cancel_row_of_the_readme_matches_the_tools_annotations_and_gate(read_only: RunningGateway) -> None:
    kind = kind_column()["cancel_search_job"]
    async with read_only.client(ADMIN) as client:
        listed = {tool.name: tool for tool in await client.list_tools()}
    hints = listed["cancel_search_job"].annotations  # listed with writes off: the gate is per job, not per tool
    assert hints is not None
    assert hints.read_only_hint is False
    assert kind != "read-only"
    assert hints.destructive_hint is True
    assert kind.startswith("destructive ")
    assert hints.idempotent_hint is True
    assert "own jobs always" in kind
    assert "others' jobs only with `MCP_SPLUNK_ALLOW_WRITES=true`" in kind


async def test_every_readme_kind_agrees_with_what_a_gateway_with_writes_off_lists(read_only: RunningGateway) -> None:
    kinds = kind_column()
    assert set(kinds) == {tool.name for tool in TOOLS}
    async with read_only.client(ADMIN) as client:
        listed = {tool.name: tool.annotations for tool in await client.list_tools()}
    for name, kind in kinds.items():
        hints = listed.get(name)
        if kind.endswith(WRITES_ONLY):
            assert hints is None, f"{name}: the README says it needs writes, yet it is listed with writes off"
            continue
        assert hints is not None, f"{name}: the README offers it with writes off, yet it is not listed"
        assert hints.read_only_hint is (kind == "read-only"), name
        if not hints.read_only_hint:
            assert "MCP_SPLUNK_ALLOW_WRITES=true" in kind, f"{name}: say which of its calls need writes"
