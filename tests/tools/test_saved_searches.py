"""Saved-search tools through an MCP client over HTTP against the sandbox: listing and reading definitions, running
one with its alert actions suppressed (or, where the operator allows it, triggered), and the fired alerts."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from splunklib import client as splunk_client

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace, shared_acl
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

TOOLS = ("list_saved_searches", "get_saved_search", "run_saved_search", "list_fired_alerts")
WEB_ERRORS = "Web errors by host"
FAILED_LOGINS = "Failed logins by source"
ALERTING = "mcp tools test: always alerts"
UNBOUNDED = "mcp tools test: no time range"
WITH_SECRET = "mcp tools test: webhook with a key"
SECRET = "k3y-only-in-the-definition-Zq9"
STATUS = re.compile(r'" (\d{3}) ')


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def actions_gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    """A gateway whose operator allows saved searches to trigger their alert actions."""
    with running_gateway(sandbox_defaults(sandbox), allow_alert_actions=True) as running:
        yield running


@pytest.fixture(scope="module")
def own_searches(sandbox: Sandbox) -> tuple[str, str]:
    """Saved searches of this module, created over the sandbox's REST API with splunklib (kept afterwards, so
    the fired alerts they record keep belonging to an existing search)."""
    service = splunk_client.connect(
        host="127.0.0.1",
        port=sandbox.port,
        scheme=sandbox.scheme,
        username="admin",
        password="changeme",
        owner="nobody",
        app="search",
    )
    if ALERTING not in service.saved_searches:
        service.saved_searches.create(
            ALERTING,
            "search index=web status>=500 | stats count by host",
            **{
                "alert_type": "always",
                "alert.severity": "5",
                "description": "Fires on every run.",
                "dispatch.earliest_time": "-1h",
                "dispatch.latest_time": "now",
            },
        )
    if UNBOUNDED not in service.saved_searches:
        service.saved_searches.create(UNBOUNDED, "search index=main | stats count")
    if WITH_SECRET not in service.saved_searches:
        service.saved_searches.create(
            WITH_SECRET,
            "search index=main | stats count",
            **{
                "actions": "webhook",
                "action.webhook.param.url": "https://hooks.example/x",
                "action.webhook.api_key": SECRET,
            },
        )
    return ALERTING, UNBOUNDED


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> tuple[int, int]:
    latest = int(max(e.time for e in sandbox.events("web"))) + 1
    return latest - 86400, latest


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def web_errors_by_host(sandbox: Sandbox, window: tuple[int, int]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for event in sandbox.events("web"):
        match = STATUS.search(event.raw)
        assert match is not None
        if window[0] <= event.time < window[1] and int(match.group(1)) >= 500:
            counts[event.host] += 1
    return dict(counts)


def alerts_of(sandbox: Sandbox, name: str) -> list[str]:
    return [a.sid for a in sandbox.state.fired_alerts if a.savedsearch_name == name]


def jobs_of(sandbox: Sandbox, name: str) -> list[str]:
    return [job.sid for job in sandbox.state.jobs.list() if job.saved_search == name]


def expected_fired(sandbox: Sandbox) -> list[dict[str, Any]]:
    existing = {o.name for o in sandbox.state.saved_searches.all()}
    alerts = [a for a in sandbox.state.fired_alerts if a.savedsearch_name in existing]
    alerts.sort(key=lambda a: (-int(a.trigger_time), a.sid))
    return [
        {"saved_search": a.savedsearch_name, "sid": a.sid, "trigger_time": iso(a.trigger_time), "severity": a.severity}
        for a in alerts
    ]


def picked(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{k: row[k] for k in keys} for row in rows]


async def test_list_saved_searches_gives_every_search_with_its_spl_schedule_and_alert_facts(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_saved_searches", {"count": 1000})
    objects = {o.name: o for o in sandbox.state.saved_searches.all()}
    rows = result.structured_content["saved_searches"]
    assert [r["name"] for r in rows] == sorted(objects, key=str.lower)
    for row in rows:
        content = objects[row["name"]].content
        assert row["search"] == content["search"]
        assert row["description"] == content.get("description", "")
        assert row["app"] == objects[row["name"]].acl.app
    failed = next(r for r in rows if r["name"] == FAILED_LOGINS)
    assert failed["is_scheduled"] is True
    assert failed["cron_schedule"] == objects[FAILED_LOGINS].content["cron_schedule"]
    assert failed["next_scheduled_time"] == objects[FAILED_LOGINS].content["next_scheduled_time"]
    assert failed["is_alert"] is True
    assert failed["alert_type"] == "number of events"
    assert failed["actions"] == ["email"]
    assert failed["triggered_alert_count"] == len(alerts_of(sandbox, FAILED_LOGINS)) > 0
    web = next(r for r in rows if r["name"] == WEB_ERRORS)
    assert (web["is_scheduled"], web["is_alert"], web["disabled"]) == (False, False, False)
    text = result.content[0].text
    assert all(name in text for name in objects)


async def test_paging_through_saved_searches_reassembles_exactly_the_full_list(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    expected = sorted((o.name for o in sandbox.state.saved_searches.all()), key=str.lower)
    names: list[str] = []
    offset: int | None = 0
    async with gateway.client() as client:
        while offset is not None:
            data = (await client.call_tool("list_saved_searches", {"offset": offset, "count": 2})).structured_content
            assert data["paging"]["total"] == len(expected)
            names.extend(r["name"] for r in data["saved_searches"])
            offset = data["paging"]["next_offset"]
    assert names == expected


@pytest.mark.parametrize("pattern", ["LOGINS", "*errors*", "web*"])
async def test_a_filter_keeps_the_saved_searches_whose_name_contains_or_matches_it(
    gateway: RunningGateway, sandbox: Sandbox, pattern: str
) -> None:
    needle = pattern.strip("*").lower()
    names = [o.name for o in sandbox.state.saved_searches.all()]
    if pattern.endswith("*") and not pattern.startswith("*"):
        expected = [n for n in names if n.lower().startswith(needle)]
    else:
        expected = [n for n in names if needle in n.lower()]
    async with gateway.client() as client:
        result = await client.call_tool("list_saved_searches", {"filter": pattern})
    assert [r["name"] for r in result.structured_content["saved_searches"]] == sorted(expected, key=str.lower)
    assert expected


async def test_get_saved_search_returns_the_full_definition(gateway: RunningGateway, sandbox: Sandbox) -> None:
    content = next(o for o in sandbox.state.saved_searches.all() if o.name == FAILED_LOGINS).content
    async with gateway.client() as client:
        result = await client.call_tool("get_saved_search", {"name": FAILED_LOGINS})
    data = result.structured_content
    assert data["name"] == FAILED_LOGINS
    assert data["search"] == content["search"]
    assert data["settings"]["dispatch.earliest_time"] == content["dispatch.earliest_time"]
    assert data["settings"]["action.email.to"] == content["action.email.to"]
    assert data["settings"]["alert_threshold"] == content["alert_threshold"]
    text = json.loads(result.content[0].text)
    assert text["search"] == content["search"]  # in full, not cut like a table cell
    assert text["description"] == content["description"]


async def test_get_saved_search_masks_secret_looking_settings(
    gateway: RunningGateway, own_searches: tuple[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_saved_search", {"name": WITH_SECRET})
    settings = result.structured_content["settings"]
    assert settings["action.webhook.api_key"] == "********"
    assert settings["action.webhook.param.url"] == "https://hooks.example/x"
    assert SECRET not in str(result.structured_content)
    assert SECRET not in result.content[0].text


@pytest.mark.parametrize("tool", ["get_saved_search", "run_saved_search"])
async def test_an_unknown_saved_search_is_not_found(gateway: RunningGateway, tool: str) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, {"name": "No such search"}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "not_found"
    assert "list_saved_searches" in result.structured_content["error"]["message"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("get_saved_search", {"name": 'Web errors" by host'}),
        ("run_saved_search", {"name": "Web errors `by` host"}),
        ("run_saved_search", {"name": WEB_ERRORS, "row_limit": 0}),
        ("list_saved_searches", {"count": 1001}),
        ("list_fired_alerts", {"saved_search": 'x"y'}),
        ("list_fired_alerts", {"count": 0}),
        ("get_saved_search", {"name": ""}),
    ],
)
async def test_bad_arguments_are_refused_as_invalid(
    gateway: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_argument"


async def test_run_saved_search_returns_the_results_of_the_saved_spl_and_fires_nothing(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int]
) -> None:
    expected = web_errors_by_host(sandbox, window)
    fired_before = len(sandbox.state.fired_alerts)
    async with gateway.client() as client:
        result = await client.call_tool(
            "run_saved_search",
            {"name": WEB_ERRORS, "earliest_time": str(window[0]), "latest_time": str(window[1])},
        )
    data = result.structured_content
    assert data["saved_search"] == WEB_ERRORS
    assert data["done"] is True
    assert {r["host"]: int(r["count"]) for r in data["results"]} == expected
    assert data["total"] == len(expected)
    assert data["paging"] == {
        "offset": 0,
        "count": len(expected),
        "total": len(expected),
        "has_more": False,
        "next_offset": None,
    }
    assert data["sid"] in jobs_of(sandbox, WEB_ERRORS)
    assert data["actions_triggered"] is False
    assert len(sandbox.state.fired_alerts) == fired_before
    text = result.content[0].text
    assert all(host in text for host in expected)
    assert data["sid"] in text


async def test_a_small_row_limit_returns_the_first_page_and_says_there_is_more(
    gateway: RunningGateway, sandbox: Sandbox, window: tuple[int, int]
) -> None:
    expected = web_errors_by_host(sandbox, window)
    assert len(expected) > 2
    async with gateway.client() as client:
        result = await client.call_tool(
            "run_saved_search",
            {"name": WEB_ERRORS, "earliest_time": str(window[0]), "latest_time": str(window[1]), "row_limit": 2},
        )
        data = result.structured_content
        rest = await client.call_tool("get_search_results", {"sid": data["sid"], "offset": 2, "count": 100})
    assert len(data["results"]) == 2
    assert data["paging"]["has_more"] is True
    assert data["paging"]["next_offset"] == 2
    rows = data["results"] + rest.structured_content["results"]
    assert {r["host"]: int(r["count"]) for r in rows} == expected


async def test_an_alert_run_with_actions_suppressed_records_no_fired_alert(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    alerting, _ = own_searches
    before = alerts_of(sandbox, alerting)
    async with gateway.client() as client:
        result = await client.call_tool("run_saved_search", {"name": alerting})
    data = result.structured_content
    assert data["done"] is True
    assert data["sid"] in jobs_of(sandbox, alerting)
    assert alerts_of(sandbox, alerting) == before


async def test_asking_to_trigger_actions_without_the_operators_consent_is_refused(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    alerting, _ = own_searches
    jobs_before, alerts_before = jobs_of(sandbox, alerting), alerts_of(sandbox, alerting)
    async with gateway.client() as client:
        result = await client.call_tool(
            "run_saved_search", {"name": alerting, "trigger_actions": True}, raise_on_error=False
        )
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert "MCP_SPLUNK_ALLOW_ALERT_ACTIONS" in result.structured_content["error"]["message"]
    assert jobs_of(sandbox, alerting) == jobs_before  # nothing was dispatched
    assert alerts_of(sandbox, alerting) == alerts_before


async def test_where_the_operator_allows_actions_a_triggered_run_records_one_fired_alert(
    actions_gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    alerting, _ = own_searches
    before = alerts_of(sandbox, alerting)
    async with actions_gateway.client() as client:
        suppressed = (await client.call_tool("run_saved_search", {"name": alerting})).structured_content
        assert alerts_of(sandbox, alerting) == before  # even here, actions stay off unless asked for
        run = (
            await client.call_tool("run_saved_search", {"name": alerting, "trigger_actions": True})
        ).structured_content
        assert run["actions_triggered"] is True
        after = alerts_of(sandbox, alerting)
        assert after == [*before, run["sid"]]
        listed = (await client.call_tool("list_fired_alerts", {"saved_search": alerting})).structured_content
    assert suppressed["sid"] not in after
    newest = listed["fired_alerts"][0]
    assert newest["sid"] == run["sid"]
    assert newest["saved_search"] == alerting
    assert newest["severity"] == 5
    assert newest["alert_type"] == "always"
    assert listed["paging"]["total"] == len(after)


async def test_a_saved_search_without_a_time_range_needs_an_earliest_time(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    _, unbounded = own_searches
    async with gateway.client() as client:
        refused = await client.call_tool("run_saved_search", {"name": unbounded}, raise_on_error=False)
        allowed = await client.call_tool("run_saved_search", {"name": unbounded, "earliest_time": "-1h"})
    assert refused.is_error
    assert refused.structured_content["error"]["code"] == "policy_violation"
    assert "earliest" in refused.structured_content["error"]["message"]
    assert allowed.structured_content["done"] is True
    assert allowed.structured_content["earliest_time"] == "-1h"


@pytest.fixture
def writing_search(sandbox: Sandbox) -> Iterator[str]:
    """A saved search whose SPL writes a lookup, present only during the test."""
    name = "mcp tools test: writes a lookup"
    content = {
        "search": "search index=web | stats count by status | outputlookup mcp_tools_test.csv",
        "dispatch.earliest_time": "-1h",
    }
    sandbox.state.saved_searches.put(KnowledgeObject(name, shared_acl(), content))
    try:
        yield name
    finally:
        admin = sandbox.state.accounts.user("admin")
        assert admin is not None
        sandbox.state.saved_searches.delete(name, admin, Namespace("nobody", "search"))


async def test_a_saved_search_whose_spl_writes_is_refused_by_the_spl_policy(
    gateway: RunningGateway, sandbox: Sandbox, writing_search: str
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("run_saved_search", {"name": writing_search}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert "outputlookup" in result.structured_content["error"]["message"]
    assert jobs_of(sandbox, writing_search) == []  # nothing was dispatched


async def test_list_fired_alerts_lists_every_alert_newest_first(
    gateway: RunningGateway, sandbox: Sandbox, own_searches: tuple[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_fired_alerts", {"count": 1000})
    expected = expected_fired(sandbox)
    rows = result.structured_content["fired_alerts"]
    assert picked(rows, "saved_search", "sid", "trigger_time", "severity") == expected
    assert len(expected) >= len(alerts_of(sandbox, FAILED_LOGINS)) > 0
    assert all(row["trigger_time"] in result.content[0].text for row in rows)


async def test_paging_through_fired_alerts_reassembles_exactly_the_full_list(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    expected = expected_fired(sandbox)
    assert len(expected) > 3
    rows: list[dict[str, Any]] = []
    offset: int | None = 0
    async with gateway.client(mode="legacy") as client:
        while offset is not None:
            data = (await client.call_tool("list_fired_alerts", {"offset": offset, "count": 3})).structured_content
            rows.extend(data["fired_alerts"])
            offset = data["paging"]["next_offset"]
    assert picked(rows, "saved_search", "sid", "trigger_time", "severity") == expected


async def test_fired_alerts_of_one_saved_search_and_of_an_unknown_one(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    expected = [a for a in expected_fired(sandbox) if a["saved_search"] == FAILED_LOGINS]
    async with gateway.client() as client:
        one = await client.call_tool("list_fired_alerts", {"saved_search": FAILED_LOGINS})
        unknown = await client.call_tool("list_fired_alerts", {"saved_search": "No such search"}, raise_on_error=False)
    assert picked(one.structured_content["fired_alerts"], "saved_search", "sid", "trigger_time", "severity") == expected
    assert unknown.is_error
    assert unknown.structured_content["error"]["code"] == "not_found"


async def test_the_analyst_lists_and_runs_a_shared_saved_search_as_a_legacy_client(gateway: RunningGateway) -> None:
    # Whose index rights the run uses is Splunk's call (dispatchAs; the sandbox runs it as the caller), so only
    # the listing and the run itself are asserted here.
    async with gateway.client(ANALYST, mode="legacy") as client:
        listed = (await client.call_tool("list_saved_searches", {"filter": FAILED_LOGINS})).structured_content
        run = (await client.call_tool("run_saved_search", {"name": FAILED_LOGINS})).structured_content
    assert [r["name"] for r in listed["saved_searches"]] == [FAILED_LOGINS]
    assert run["done"] is True
    assert run["saved_search"] == FAILED_LOGINS


async def test_every_saved_search_tool_is_announced_read_only(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    for name in TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is True
        assert annotations.destructive_hint is False
