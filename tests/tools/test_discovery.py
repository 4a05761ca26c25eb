"""Discovery tools through an MCP client over HTTP against the sandbox: index details, and the sourcetypes, sources
and hosts of a time range, checked against the sandbox's own events counted in plain Python."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

TOOLS = ("get_index_info", "list_sourcetypes", "list_sources", "list_hosts")
FIELDS = {"list_sourcetypes": "sourcetype", "list_sources": "source", "list_hosts": "host"}
PLURAL = {"list_sourcetypes": "sourcetypes", "list_sources": "sources", "list_hosts": "hosts"}


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> tuple[int, int]:
    """An absolute 24 h window ending just after the newest sample event, so expectations do not drift."""
    latest = int(max(e.time for name in ("main", "web", "security") for e in sandbox.events(name))) + 1
    return latest - 86400, latest


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_values(
    sandbox: Sandbox, indexes: Iterable[str], field: str, window: tuple[int, int]
) -> list[dict[str, Any]]:
    """One row per value of ``field`` over the events of ``indexes`` in the window, busiest first."""
    seen: dict[str, list[float]] = {}
    for index in indexes:
        for event in sandbox.events(index):
            if window[0] <= event.time < window[1]:
                value = getattr(event, field)
                stats = seen.setdefault(value, [0, event.time, event.time])
                stats[0] += 1
                stats[1] = min(stats[1], event.time)
                stats[2] = max(stats[2], event.time)
    rows = [
        {field: value, "count": int(count), "first_seen": iso(first), "last_seen": iso(last)}
        for value, (count, first, last) in seen.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r[field]))


def searchable_by_admin(sandbox: Sandbox) -> list[str]:
    return [name for name in sandbox.state.indexes if not name.startswith("_")]


def times(window: tuple[int, int]) -> dict[str, str]:
    return {"earliest_time": str(window[0]), "latest_time": str(window[1])}


@pytest.mark.parametrize("tool", ["list_sourcetypes", "list_sources", "list_hosts"])
async def test_each_value_listing_counts_every_value_in_the_window_busiest_first(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int], tool: str
) -> None:
    field = FIELDS[tool]
    async with gateway.client() as client:
        result = await client.call_tool(tool, {**times(window), "count": 1000})
    expected = expected_values(sandbox, searchable_by_admin(sandbox), field, window)
    data = result.structured_content
    assert data[PLURAL[tool]] == expected
    assert data["paging"] == {
        "offset": 0,
        "count": len(expected),
        "total": len(expected),
        "has_more": False,
        "next_offset": None,
    }
    assert data["index"] == "*"
    assert json.loads(result.content[0].text)[PLURAL[tool]] == expected


@pytest.mark.parametrize("tool", ["list_sourcetypes", "list_sources", "list_hosts"])
async def test_an_index_argument_limits_the_listing_to_that_index(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int], tool: str
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, {"index": "security", **times(window)})
    assert result.structured_content[PLURAL[tool]] == expected_values(sandbox, ["security"], FIELDS[tool], window)


async def test_paging_through_hosts_reassembles_exactly_the_full_list(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int]
) -> None:
    expected = expected_values(sandbox, searchable_by_admin(sandbox), "host", window)
    assert len(expected) > 3
    pages: list[dict[str, Any]] = []
    offset: int | None = 0
    async with gateway.client() as client:
        while offset is not None:
            data = (
                await client.call_tool("list_hosts", {**times(window), "offset": offset, "count": 2})
            ).structured_content
            assert data["paging"]["offset"] == offset
            assert data["paging"]["total"] == len(expected)
            pages.extend(data["hosts"])
            offset = data["paging"]["next_offset"]
    assert pages == expected


@pytest.mark.parametrize(
    ("pattern", "keep"),
    [("web", lambda h: "web" in h), ("APP-*", lambda h: h.startswith("app-")), ("no-such-host", lambda h: False)],
)
async def test_a_filter_keeps_the_hosts_that_contain_or_match_it(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int], pattern: str, keep: Any
) -> None:
    expected = [r for r in expected_values(sandbox, searchable_by_admin(sandbox), "host", window) if keep(r["host"])]
    async with gateway.client() as client:
        result = await client.call_tool("list_hosts", {**times(window), "filter": pattern})
    assert result.structured_content["hosts"] == expected


async def test_the_analyst_sees_only_the_main_and_web_indexes_data(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int]
) -> None:
    async with gateway.client(ANALYST) as client:
        sourcetypes = (await client.call_tool("list_sourcetypes", times(window))).structured_content
        hosts = (await client.call_tool("list_hosts", times(window))).structured_content
        security = (await client.call_tool("list_sources", {"index": "security", **times(window)})).structured_content
    assert sourcetypes["sourcetypes"] == expected_values(sandbox, ["main", "web"], "sourcetype", window)
    assert hosts["hosts"] == expected_values(sandbox, ["main", "web"], "host", window)
    assert security["sources"] == []
    assert security["paging"]["total"] == 0
    security_only = {e.sourcetype for e in sandbox.events("security")} - {
        e.sourcetype for name in ("main", "web") for e in sandbox.events(name)
    }
    assert security_only  # the sample data has a sourcetype only the security index holds
    assert not security_only & {r["sourcetype"] for r in sourcetypes["sourcetypes"]}


async def test_without_a_time_range_the_operators_default_window_applies(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_sourcetypes", {})
    data = result.structured_content
    assert data["earliest_time"] == gateway.gateway.settings.gateway.default_earliest
    assert data["latest_time"] == "now"


async def test_a_time_range_wider_than_the_operator_allows_is_refused(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_hosts", {"earliest_time": "-400d"}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("list_sourcetypes", {"index": "web | delete"}),
        ("list_hosts", {"index": 'web" OR index="security'}),
        ("list_sources", {"filter": 'x" | delete'}),
        ("list_hosts", {"filter": "[search index=security]"}),
        ("list_hosts", {"count": 1001}),
        ("list_hosts", {"offset": -1}),
        ("list_hosts", {"unknown": 1}),
        ("get_index_info", {"name": "web | delete"}),
        ("get_index_info", {"name": "web*"}),
    ],
)
async def test_bad_arguments_are_refused_as_invalid_before_reaching_splunk(
    gateway: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_argument"


async def test_get_index_info_reports_the_figures_of_the_index(gateway: RunningGateway, sandbox: Sandbox) -> None:
    events = sandbox.events("web")
    async with gateway.client() as client:
        result = await client.call_tool("get_index_info", {"name": "web"})
    data = result.structured_content
    assert data["name"] == "web"
    assert data["total_event_count"] == len(events)
    assert data["earliest_event"] == iso(events[0].time)
    assert data["latest_event"] == iso(events[-1].time)
    assert data["internal"] is False
    assert data["settings"]["homePath"].endswith("/db")
    text = json.loads(result.content[0].text)
    assert text["total_event_count"] == len(events)
    assert text["settings"]["homePath"] == data["settings"]["homePath"]


async def test_the_analyst_gets_not_found_for_the_security_index(gateway: RunningGateway) -> None:
    async with gateway.client(ANALYST) as client:
        hidden = await client.call_tool("get_index_info", {"name": "security"}, raise_on_error=False)
        allowed = await client.call_tool("get_index_info", {"name": "main"})
    assert hidden.is_error
    assert hidden.structured_content["error"]["code"] == "not_found"
    assert "list_indexes" in hidden.structured_content["error"]["message"]
    assert allowed.structured_content["name"] == "main"


async def test_an_unknown_index_is_not_found_with_a_pointer_to_list_indexes(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_index_info", {"name": "no_such_index"}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "not_found"
    assert "list_indexes" in result.content[0].text


async def test_a_legacy_client_gets_the_same_listing(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int]
) -> None:
    async with gateway.client(ANALYST, mode="legacy") as client:
        result = await client.call_tool("list_sources", times(window))
    assert result.structured_content["sources"] == expected_values(sandbox, ["main", "web"], "source", window)


async def test_every_discovery_tool_is_announced_read_only(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    for name in TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is True
        assert annotations.destructive_hint is False
        assert tools[name].description
