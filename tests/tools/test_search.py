"""Search tools through an MCP client: exact totals, paging, job status, export, limits, progress, cancel."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import anyio
import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

STATUS = re.compile(r'" (\d{3}) ')


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> tuple[float, float]:
    """An absolute 24 h window ending at the newest sample event, so expectations do not drift with the clock."""
    latest = max(e.time for e in sandbox.events("web")) + 1
    return latest - 86400, latest


def web_status_counts(sandbox: Sandbox, window: tuple[float, float]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for event in sandbox.events("web"):
        if window[0] <= event.time < window[1]:
            match = STATUS.search(event.raw)
            assert match is not None
            counts[(event.host, match.group(1))] += 1
    return counts


async def test_run_search_returns_the_exact_answer_and_total(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    expected = web_status_counts(sandbox, window)
    async with gateway.client() as client:
        result = await client.call_tool(
            "run_search",
            {
                "query": "index=web | stats count by host, status",
                "earliest_time": str(window[0]),
                "latest_time": str(window[1]),
                "row_limit": 1000,
            },
        )
    data = result.structured_content
    got = {(r["host"], r["status"]): int(r["count"]) for r in data["results"]}
    assert got == dict(expected)
    assert data["total"] == len(expected)
    assert data["paging"] == {
        "offset": 0,
        "count": len(expected),
        "total": len(expected),
        "has_more": False,
        "next_offset": None,
    }
    assert "web-01" in result.content[0].text  # the text half carries the rows too


async def test_pages_from_get_search_results_reassemble_the_full_result(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    expected = web_status_counts(sandbox, window)
    query = "index=web | stats count by host, status | sort host, status"
    times = {"earliest_time": str(window[0]), "latest_time": str(window[1])}
    async with gateway.client() as client:
        first = (await client.call_tool("run_search", {"query": query, "row_limit": 7, **times})).structured_content
        rows = list(first["results"])
        paging = first["paging"]
        while paging["has_more"]:
            page = (
                await client.call_tool(
                    "get_search_results", {"sid": first["sid"], "offset": paging["next_offset"], "count": 7}
                )
            ).structured_content
            rows.extend(page["results"])
            paging = page["paging"]
    assert len(rows) == first["total"] == len(expected)
    assert [(r["host"], r["status"]) for r in rows] == sorted(expected)
    assert {(r["host"], r["status"]): int(r["count"]) for r in rows} == dict(expected)


async def test_get_search_job_reports_the_finished_jobs_counts(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    matched = sum(1 for e in sandbox.events("web") if window[0] <= e.time < window[1])
    async with gateway.client() as client:
        run = (
            await client.call_tool(
                "run_search",
                {"query": "index=web | stats count", "earliest_time": str(window[0]), "latest_time": str(window[1])},
            )
        ).structured_content
        job = (await client.call_tool("get_search_job", {"sid": run["sid"]})).structured_content
    assert job["dispatch_state"] == "DONE"
    assert job["is_done"] is True
    assert job["event_count"] == matched
    assert job["result_count"] == 1
    assert int(run["results"][0]["count"]) == matched


async def test_events_of_a_transforming_search_can_be_paged(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    errors = [e for e in sandbox.events("main") if window[0] <= e.time < window[1] and '"level": "ERROR"' in e.raw]
    async with gateway.client() as client:
        run = (
            await client.call_tool(
                "run_search",
                {
                    "query": "index=main level=ERROR | stats count",
                    "earliest_time": str(window[0]),
                    "latest_time": str(window[1]),
                },
            )
        ).structured_content
        events = (
            await client.call_tool("get_search_results", {"sid": run["sid"], "kind": "events", "count": 5})
        ).structured_content
    assert events["total"] == len(errors)
    assert len(events["results"]) == min(5, len(errors))
    assert all(r["level"] == "ERROR" for r in events["results"])


async def test_an_unknown_sid_is_not_found_with_an_explanation(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_search_job", {"sid": "1234567890.999"}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "not_found"
    assert "expired" in result.structured_content["error"]["message"]


@pytest.mark.parametrize("sid", ["../apps/local", ".hidden", "a/b", ""])
async def test_a_sid_that_is_not_a_sid_is_refused_before_splunk(gateway: RunningGateway, sid: str) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_search_job", {"sid": sid}, raise_on_error=False)
    assert result.structured_content["error"]["code"] == "invalid_argument"


async def test_export_counts_every_row_and_keeps_only_what_fits(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    matched = sum(1 for e in sandbox.events("web") if window[0] <= e.time < window[1])
    async with gateway.client() as client:
        export = (
            await client.call_tool(
                "export_search",
                {
                    "query": "index=web",
                    "earliest_time": str(window[0]),
                    "latest_time": str(window[1]),
                    "max_rows": 100_000,
                },
            )
        ).structured_content
    assert export["rows_seen"] == matched
    assert export["complete"] is True
    assert 0 < export["rows_returned"] < matched  # full events do not all fit the output limit
    assert export["truncated"] is True
    assert len(export["results"]) == export["rows_returned"]


async def test_export_of_a_report_skips_preview_rows(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[float, float]
) -> None:
    hosts = {e.host for e in sandbox.events("web") if window[0] <= e.time < window[1]}
    async with gateway.client() as client:
        export = (
            await client.call_tool(
                "export_search",
                {
                    "query": "index=web | stats count by host",
                    "earliest_time": str(window[0]),
                    "latest_time": str(window[1]),
                },
            )
        ).structured_content
    assert export["rows_seen"] == len(hosts)  # not doubled by the preview pass
    assert export["preview_rows_skipped"] == len(hosts)
    assert {r["host"] for r in export["results"]} == hosts
    assert export["truncated"] is False


async def test_export_stops_at_max_rows_and_says_so(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        export = (await client.call_tool("export_search", {"query": "index=web", "max_rows": 25})).structured_content
    assert export["rows_seen"] == 25
    assert export["complete"] is False
    assert export["stopped"] == "max_rows"
    assert export["truncated"] is True


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"query": "index=web", "earliest_time": "0"}, "policy_violation"),
        ({"query": "index=web earliest=0 | stats count"}, "policy_violation"),
        ({"query": "index=web [search index=main earliest=-400d | fields host]"}, "policy_violation"),
        ({"query": "index=web", "earliest_time": "-90d"}, "policy_violation"),
        ({"query": "index=web", "earliest_time": "yesterday-ish"}, "invalid_argument"),
        ({"query": "index=web", "earliest_time": "now", "latest_time": "-1h"}, "invalid_argument"),
        ({"query": "index=web", "row_limit": 0}, "invalid_argument"),
        ({"query": ""}, "invalid_argument"),
        ({"query": "index=web", "surprise": True}, "invalid_argument"),
    ],
)
async def test_searches_outside_the_operators_limits_are_refused(
    gateway: RunningGateway, arguments: dict[str, object], code: str
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("run_search", arguments, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == code


async def test_a_row_limit_above_the_maximum_is_capped_and_flagged(sandbox: Sandbox) -> None:
    with running_gateway(sandbox_defaults(sandbox), max_row_limit=5) as gateway:
        async with gateway.client() as client:
            data = (
                await client.call_tool("run_search", {"query": "index=web | head 20", "row_limit": 50})
            ).structured_content
    assert len(data["results"]) == 5
    assert data["paging"]["next_offset"] == 5
    assert data["truncated"]["reason"] == "row_limit"


async def test_the_analyst_finds_nothing_in_security(gateway: RunningGateway) -> None:
    async with gateway.client(ANALYST) as client:
        data = (await client.call_tool("run_search", {"query": "index=security | stats count"})).structured_content
    assert data["results"] == [{"count": "0"}]


# -- slow searches ------------------------------------------------------------------------------------------
async def test_progress_is_reported_while_the_search_runs(slow_gateway: RunningGateway) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    async with slow_gateway.client(progress_handler=on_progress) as client:
        result = await client.call_tool("run_search", {"query": "index=web | stats count by host"})
    assert result.structured_content["done"] is True
    assert len(seen) >= 3
    assert seen[-1][0] == 1.0
    assert any(0 < p < 1 for p, _ in seen)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    assert any("RUNNING" in (m or "") for _, m in seen)


async def test_a_search_that_outlives_the_wait_returns_its_sid_and_can_be_cancelled(
    slow_gateway: RunningGateway, slow_sandbox: Sandbox
) -> None:
    async with slow_gateway.client() as client:
        early = (await client.call_tool("run_search", {"query": "index=web", "wait_seconds": 0.2})).structured_content
        assert early["done"] is False
        sid = early["sid"]
        cancelled = await client.call_tool("cancel_search_job", {"sid": sid})
    assert cancelled.structured_content == {"sid": sid, "cancelled": True}
    assert slow_sandbox.job_cancelled(sid)


async def test_cancelling_the_tool_call_cancels_the_splunk_job(
    slow_gateway: RunningGateway, slow_sandbox: Sandbox
) -> None:
    before = set(slow_sandbox.cancelled_jobs())
    async with slow_gateway.client() as client:
        with pytest.raises(Exception, match="timed out"):
            await client.call_tool("run_search", {"query": "index=main | stats count by service"}, timeout=0.5)
    with anyio.fail_after(10):  # the gateway cancels as soon as the call is cancelled; wait for it, bounded
        while not set(slow_sandbox.cancelled_jobs()) - before:
            await anyio.sleep(0.05)
    (sid,) = set(slow_sandbox.cancelled_jobs()) - before
    assert slow_sandbox.state.jobs.get(sid) is None
