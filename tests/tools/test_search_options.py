"""Search options and execution metrics through an MCP client: search levels, sampling, and what ``metrics`` says.

Expected values come from the sandbox's corpus (``Sandbox.events``), never from the gateway or the sandbox's SPL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import RunningGateway, running_gateway, sandbox_defaults

# The fields every event has whatever the search mode: splunkd's default fields.
DEFAULT_FIELDS = {"_time", "_raw", "index", "host", "source", "sourcetype", "splunk_server", "linecount"}
STATUS = re.compile(r'" (\d{3}) ')


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> dict[str, str]:
    """An absolute 24 h window ending at the newest web event, so expectations do not drift with the clock."""
    latest = max(e.time for e in sandbox.events("web")) + 1
    return {"earliest_time": str(latest - 86400), "latest_time": str(latest)}


def web_events(sandbox: Sandbox, window: dict[str, str]) -> list[str]:
    low, high = float(window["earliest_time"]), float(window["latest_time"])
    return [e.raw for e in sandbox.events("web") if low <= e.time < high]


async def run(gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    async with gateway.client() as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert not result.is_error, result.content[0].text
    data: dict[str, Any] = result.structured_content
    return data


async def test_fast_mode_returns_the_default_fields_and_the_named_ones_only(
    gateway: RunningGateway, window: dict[str, str]
) -> None:
    data = await run(
        gateway, "run_search", {"query": "index=web status=200 | head 3", "search_level": "fast", **window}
    )
    assert set(data["fields"]) == DEFAULT_FIELDS | {"status"}
    assert all(set(row) <= DEFAULT_FIELDS | {"status"} for row in data["results"])
    assert data["metrics"]["search_level"] == "fast"


@pytest.mark.parametrize("level", ["verbose", "smart"])
async def test_verbose_and_smart_event_searches_return_every_extracted_field(
    gateway: RunningGateway, window: dict[str, str], level: str
) -> None:
    data = await run(gateway, "run_search", {"query": "index=web status=200 | head 3", "search_level": level, **window})
    # access_combined's search-time fields, named nowhere in the SPL
    assert {"clientip", "method", "uri", "useragent"} <= set(data["fields"])


@pytest.mark.parametrize("level", ["fast", "smart", "verbose"])
async def test_a_transforming_search_answers_the_same_in_every_mode(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str], level: str
) -> None:
    expected: dict[str, int] = {}
    for raw in web_events(sandbox, window):
        match = STATUS.search(raw)
        assert match is not None
        expected[match.group(1)] = expected.get(match.group(1), 0) + 1
    data = await run(
        gateway,
        "run_search",
        {"query": "index=web | stats count by status", "search_level": level, "row_limit": 100, **window},
    )
    assert {r["status"]: int(r["count"]) for r in data["results"]} == expected


async def test_sampling_keeps_about_one_event_in_n_and_the_same_ones_each_time(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    total, ratio = len(web_events(sandbox, window)), 10
    arguments = {"query": "index=web | stats count", "sample_ratio": ratio, **window}
    first = await run(gateway, "run_search", arguments)
    again = await run(gateway, "run_search", arguments)
    sampled = int(first["results"][0]["count"])
    # A binomial(total, 1/ratio) count lies within five standard deviations of its mean for any fair sample.
    mean, spread = total / ratio, 5 * math.sqrt(total * (1 / ratio) * (1 - 1 / ratio))
    assert mean - spread <= sampled <= mean + spread
    assert sampled < total
    assert again["results"] == first["results"]
    assert first["metrics"]["sample_ratio"] == ratio
    assert first["metrics"]["events_scanned"] == sampled  # only the sample is read


async def test_metrics_count_the_events_scanned_and_matched_and_the_results(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    events = web_events(sandbox, window)
    errors = [raw for raw in events if (m := STATUS.search(raw)) and m.group(1) == "500"]
    data = await run(gateway, "run_search", {"query": "index=web status=500", "row_limit": 5, **window})
    metrics = data["metrics"]
    assert metrics["events_scanned"] == len(events)
    assert metrics["events_matched"] == len(errors)
    assert metrics["result_count"] == len(errors) > 5
    assert metrics["rows_returned"] == 5
    assert metrics["finished"] is True
    assert metrics["cut_by"] == ["row_limit"]  # the search finished; the rest waits in the job for paging
    assert metrics["run_duration_seconds"] >= 0
    assert metrics["messages"] == []


async def test_a_whole_result_reports_nothing_cut(gateway: RunningGateway, window: dict[str, str]) -> None:
    data = await run(gateway, "run_search", {"query": "index=web | stats count by host", **window})
    assert data["metrics"]["cut_by"] == []
    assert data["metrics"]["rows_returned"] == data["metrics"]["result_count"] == data["total"]


async def test_export_takes_the_options_and_reports_what_it_read(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    total = len(web_events(sandbox, window))
    data = await run(
        gateway,
        "export_search",
        {"query": "index=web | stats count", "sample_ratio": 4, "search_level": "fast", **window},
    )
    assert int(data["results"][0]["count"]) < total
    metrics = data["metrics"]
    assert metrics["sample_ratio"] == 4
    assert metrics["events_scanned"] is None  # an export has no job whose counts Splunk reports
    assert metrics["finished"] is True
    assert metrics["result_count"] == 1
    fast = await run(gateway, "export_search", {"query": "index=web | head 2", "search_level": "fast", **window})
    assert set(fast["fields"]) == DEFAULT_FIELDS


async def test_an_export_stopped_at_max_rows_is_reported_as_cut_and_unfinished(
    gateway: RunningGateway, window: dict[str, str]
) -> None:
    data = await run(gateway, "export_search", {"query": "index=web", "max_rows": 3, **window})
    assert data["metrics"]["cut_by"] == ["row_limit"]
    assert data["metrics"]["finished"] is False
    assert data["metrics"]["rows_returned"] == 3


async def test_run_saved_search_samples_and_takes_a_search_level(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    # "Top URIs" is "index=web | top limit=10 uri" over the last 24 hours: its job scans the range's web events.
    full = await run(gateway, "run_saved_search", {"name": "Top URIs", **window})
    sampled = await run(
        gateway, "run_saved_search", {"name": "Top URIs", "sample_ratio": 4, "search_level": "fast", **window}
    )
    total = len(web_events(sandbox, window))
    assert full["metrics"]["events_scanned"] == total
    mean, spread = total / 4, 5 * math.sqrt(total * 0.25 * 0.75)
    assert mean - spread <= sampled["metrics"]["events_scanned"] <= mean + spread
    assert sampled["metrics"]["search_level"] == "fast"
    assert sampled["metrics"]["sample_ratio"] == 4


@pytest.mark.parametrize(
    ("arguments", "named"),
    [({"search_level": "turbo"}, "search_level"), ({"sample_ratio": 0}, "sample_ratio")],
)
async def test_a_bad_search_option_is_refused_naming_the_argument(
    gateway: RunningGateway, arguments: dict[str, Any], named: str
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("run_search", {"query": "index=web", **arguments}, raise_on_error=False)
    assert result.is_error
    assert named in result.content[0].text
    assert "Traceback" not in result.content[0].text
