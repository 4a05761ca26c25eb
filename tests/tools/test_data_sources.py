"""get_field_summary and find_data_source through an MCP client against the sandbox: the summary checked against the
sandbox's own events counted in plain Python, the shortlist's first pick for several kinds of data, and a user with
fewer indexes never shown the others."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.spl.extraction import event_row
from mcp_splunk.sandbox.spl.values import to_number
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

ANALYST_INDEXES = {"main", "web"}  # the sandbox's "user" role


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> dict[str, str]:
    """An absolute 24 h window ending just after the newest sample event, so expectations do not drift."""
    latest = int(max(e.time for name in ("main", "web", "security") for e in sandbox.events(name))) + 1
    return {"earliest_time": str(latest - 86400), "latest_time": str(latest)}


def events_in(sandbox: Sandbox, index: str, window: dict[str, str]) -> list[Any]:
    start, end = int(window["earliest_time"]), int(window["latest_time"])
    return [e for e in sandbox.events(index) if start <= e.time < end]


def expected_fields(events: list[Any], max_values: int) -> dict[str, dict[str, Any]]:
    """Per field: events having it, distinct values, the commonest values and the numeric range, counted directly."""
    values: dict[str, Counter[str]] = {}
    present: Counter[str] = Counter()
    for event in events:
        for name, value in event_row(event).items():
            if name.startswith("_"):
                continue
            items = [str(v) for v in (value if isinstance(value, list) else [value])]
            present[name] += 1
            values.setdefault(name, Counter()).update(items)
    expected = {}
    for name, counts in values.items():
        numbers = [n for v, c in counts.items() if (n := to_number(v)) is not None for _ in range(c)]
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:max_values]
        expected[name] = {
            "count": present[name],
            "coverage": round(present[name] / len(events), 4),
            "distinct_count": len(counts),
            "top_values": [{"value": v, "count": c} for v, c in top],
            "range": (float(min(numbers)), float(max(numbers))) if numbers else None,
        }
    return expected


async def call(gateway: RunningGateway, tool: str, arguments: dict[str, Any], headers: Any = None) -> Any:
    async with gateway.client(headers=headers) as client:
        return await client.call_tool(tool, arguments, raise_on_error=False)


async def test_both_tools_are_read_only_discovery_tools(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tools = {t.name: t for t in await client.list_tools()}
    for name in ("get_field_summary", "find_data_source"):
        annotations = tools[name].annotations
        assert annotations is not None
        assert (annotations.read_only_hint, annotations.destructive_hint) == (True, False)


async def test_field_summary_matches_a_direct_count_over_the_corpus(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    events = events_in(sandbox, "security", window)
    args = {"index": "security", "sourcetype": "linux_secure", "max_values": 3, **window}
    result = await call(gateway, "get_field_summary", args)
    data = result.structured_content
    expected = expected_fields(events, 3)
    assert (data["events_examined"], data["sampled"]) == (len(events), False)
    assert data["fields_total"] == len(expected)
    assert [f["field"] for f in data["fields"]] == sorted(expected, key=lambda n: (-expected[n]["count"], n))
    for stats in data["fields"]:
        want = expected[stats["field"]]
        assert {k: stats[k] for k in ("count", "coverage", "distinct_count", "top_values")} == {
            k: want[k] for k in ("count", "coverage", "distinct_count", "top_values")
        }, stats["field"]
        numeric = stats.get("numeric")
        assert (None if numeric is None else (numeric["min"], numeric["max"])) == want["range"], stats["field"]
    # src_port: every value a number; action: none.
    by_name = {f["field"]: f for f in data["fields"]}
    assert by_name["src_port"]["numeric"]["numeric_count"] == by_name["src_port"]["count"]
    assert "numeric" not in by_name["action"]


async def test_max_events_bounds_the_summary_to_the_newest_events_and_says_so(
    gateway: RunningGateway, window: dict[str, str]
) -> None:
    args = {"index": "web", "max_events": 100, "fields": ["uri*", "status"], **window}
    data = (await call(gateway, "get_field_summary", args)).structured_content
    assert (data["events_examined"], data["max_events"], data["sampled"]) == (100, 100, True)
    assert "| head 100 | fieldsummary" in data["query"]
    assert sorted(f["field"] for f in data["fields"]) == ["status", "uri", "uri_path", "uri_query"]
    assert all(f["coverage"] == f["count"] / 100 for f in data["fields"])
    assert {f["field"]: f["count"] for f in data["fields"]}["status"] == 100  # every access line has a status


async def test_max_fields_cuts_the_list_with_a_note(gateway: RunningGateway, window: dict[str, str]) -> None:
    data = (await call(gateway, "get_field_summary", {"index": "web", "max_fields": 2, **window})).structured_content
    assert len(data["fields"]) == 2
    assert data["truncated"]["reason"] == "max_fields"
    assert data["truncated"]["fields_available"] == data["fields_total"] > 2


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"keywords": "web access logs"}, ("web", "access_combined")),
        ({"keywords": "failed ssh logins"}, ("security", "linux_secure")),
        ({"keywords": "service latency"}, ("main", "_json")),
        ({"fields": ["clientip", "status"]}, ("web", "access_combined")),
        ({"fields": ["src_ip"]}, ("security", "linux_secure")),
    ],
)
async def test_the_expected_pair_ranks_first(
    gateway: RunningGateway, window: dict[str, str], arguments: dict[str, Any], expected: tuple[str, str]
) -> None:
    data = (await call(gateway, "find_data_source", {**arguments, **window})).structured_content
    first = data["candidates"][0]
    assert (first["index"], first["sourcetype"]) == expected
    assert first["reasons"]
    assert first["score"] == sum(r["points"] for r in first["reasons"])
    assert first["score"] > max((c["score"] for c in data["candidates"][1:]), default=0)
    assert first["search"] == f'search index="{expected[0]}" sourcetype="{expected[1]}"'


async def test_the_shortlist_gives_its_reasons_and_its_bounds(
    gateway: RunningGateway, sandbox: Sandbox, window: dict[str, str]
) -> None:
    arguments = {"keywords": "failed ssh logins", "max_pairs": 2, "sample_events": 50, **window}
    data = (await call(gateway, "find_data_source", arguments)).structured_content
    pairs = {(i, e.sourcetype) for i in ("main", "web", "security") for e in events_in(sandbox, i, window)}
    assert (data["pairs_found"], data["pairs_examined"], data["sample_events"]) == (len(pairs), 2, 50)
    assert data["keywords"] == ["failed", "ssh", "logins"]
    assert any("2 of 3 pairs" in note for note in data["notes"])


async def test_a_user_with_fewer_indexes_never_sees_the_others(gateway: RunningGateway, window: dict[str, str]) -> None:
    for arguments in ({"keywords": "failed ssh logins"}, {"fields": ["src_ip", "action"]}, {"keywords": "web"}):
        data = (await call(gateway, "find_data_source", {**arguments, **window}, ANALYST)).structured_content
        assert {c["index"] for c in data["candidates"]} <= ANALYST_INDEXES
        assert data["pairs_found"] == len(ANALYST_INDEXES)
    hidden = (await call(gateway, "get_field_summary", {"index": "security", **window}, ANALYST)).structured_content
    assert (hidden["events_examined"], hidden["fields"]) == (0, [])
    assert "not one you may search" in hidden["note"]


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("find_data_source", {"keywords": "the logs"}, "'keywords'"),
        ("find_data_source", {}, "'fields'"),
        ("get_field_summary", {"index": "we*"}, "'index'"),
        ("get_field_summary", {"index": "web", "earliest_time": "0"}, "earliest"),
        ("find_data_source", {"keywords": "web", "earliest_time": "-400d"}, "MCP_SPLUNK_MAX_SEARCH_DAYS"),
        ("get_field_summary", {"index": 'web" | delete'}, "index"),
    ],
)
async def test_bad_arguments_get_an_error_naming_what_to_fix(
    gateway: RunningGateway, tool: str, arguments: dict[str, Any], says: str
) -> None:
    result = await call(gateway, tool, arguments)
    assert result.is_error
    assert says in result.content[0].text
