"""Dashboard tools through an MCP client over HTTP against the sandbox, checked against the sandbox's views."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace, shared_acl
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

TOOLS = ("list_dashboards", "get_dashboard")
QUERY = re.compile(r"<query>(.*?)</query>", re.DOTALL)
SEARCH_VIEW = "mcp_tools_test_search_page"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture
def search_page(sandbox: Sandbox) -> Iterator[str]:
    """A view that is not a dashboard, present only during the test."""
    view = KnowledgeObject(
        SEARCH_VIEW, shared_acl(), {"label": "Search page", "isDashboard": "0", "eai:data": "<view/>"}
    )
    sandbox.state.views.put(view)
    try:
        yield SEARCH_VIEW
    finally:
        admin = sandbox.state.accounts.user("admin")
        assert admin is not None
        sandbox.state.views.delete(SEARCH_VIEW, admin, Namespace("nobody", "search"))


def dashboards(sandbox: Sandbox) -> list[KnowledgeObject]:
    return sorted(
        (o for o in sandbox.state.views.all() if o.content.get("isDashboard", "1") in ("1", True)),
        key=lambda o: o.name.lower(),
    )


async def test_list_dashboards_gives_every_dashboard_with_label_app_and_owner(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_dashboards", {})
    expected = [
        {"name": o.name, "label": o.content["label"], "app": o.acl.app, "owner": o.acl.owner, "isDashboard": True}
        for o in dashboards(sandbox)
    ]
    rows = result.structured_content["dashboards"]
    assert [{k: r[k] for k in ("name", "label", "app", "owner", "isDashboard")} for r in rows] == expected
    assert expected
    text = result.content[0].text
    assert all(d["name"] in text and d["label"] in text for d in expected)


async def test_paging_through_dashboards_reassembles_the_full_list(gateway: RunningGateway, sandbox: Sandbox) -> None:
    names: list[str] = []
    offset: int | None = 0
    async with gateway.client(mode="legacy") as client:
        while offset is not None:
            data = (await client.call_tool("list_dashboards", {"offset": offset, "count": 1})).structured_content
            names.extend(r["name"] for r in data["dashboards"])
            offset = data["paging"]["next_offset"]
    assert names == [o.name for o in dashboards(sandbox)]


@pytest.mark.parametrize(
    ("arguments", "keep"),
    [
        ({"app": "search"}, lambda o: o.acl.app == "search"),
        ({"app": "launcher"}, lambda o: o.acl.app == "launcher"),
        ({"filter": "SECURITY"}, lambda o: "security" in o.name.lower()),
        ({"filter": "web ov"}, lambda o: "web ov" in o.content["label"].lower()),  # matches the label
        ({"filter": "*_overview"}, lambda o: o.name.endswith("_overview")),
    ],
)
async def test_app_and_filter_arguments_narrow_the_list(
    gateway: RunningGateway, sandbox: Sandbox, arguments: dict[str, Any], keep: Any
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_dashboards", arguments)
    assert [r["name"] for r in result.structured_content["dashboards"]] == [
        o.name for o in dashboards(sandbox) if keep(o)
    ]


async def test_views_that_are_not_dashboards_are_listed_only_on_request(
    gateway: RunningGateway, search_page: str
) -> None:
    async with gateway.client() as client:
        default = await client.call_tool("list_dashboards", {"count": 1000})
        everything = await client.call_tool("list_dashboards", {"count": 1000, "include_views": True})
    assert search_page not in [r["name"] for r in default.structured_content["dashboards"]]
    page = next(r for r in everything.structured_content["dashboards"] if r["name"] == search_page)
    assert page["isDashboard"] is False


async def test_get_dashboard_returns_the_label_source_and_every_panel_search(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    view = next(o for o in dashboards(sandbox) if o.name == "web_overview")
    source = view.content["eai:data"]
    queries = [html.unescape(q.strip()) for q in QUERY.findall(source)]
    async with gateway.client(ANALYST) as client:
        result = await client.call_tool("get_dashboard", {"name": view.name})
    data = result.structured_content
    assert data["label"] == view.content["label"]
    assert data["app"] == view.acl.app
    assert data["source"] == source
    assert [s["query"] for s in data["searches"]] == queries
    assert len(queries) > 3
    titles = re.findall(r"<title>(.*?)</title>", source)
    assert [s["panel"] for s in data["searches"]] == titles
    assert {s["type"] for s in data["searches"]} <= {"single", "chart", "table", "event"}
    assert all(s["earliest"] == "-24h@h" and s["latest"] == "now" for s in data["searches"])
    text = json.loads(result.content[0].text)
    assert [s["query"] for s in text["searches"]] == queries  # each in full
    assert text["label"] == view.content["label"]


RICH_XML = """<form version="1.1">
  <label>Rich</label>
  <search id="base"><query>index=web | stats count by host, status</query><earliest>-4h</earliest></search>
  <fieldset>
    <input type="dropdown" token="host"><label>Host</label>
      <search><query>| tstats count where index=web by host</query></search>
    </input>
  </fieldset>
  <row><panel><title>Errors</title>
    <table><search base="base"><query>where status &gt;= 500</query></search></table>
  </panel></row>
  <row><panel>
    <chart><title>Saved</title><search ref="Web errors by host"></search></chart>
  </panel></row>
</form>
"""
STUDIO = """<dashboard version="2" theme="dark">
  <label>Studio</label>
  <definition><![CDATA[{"dataSources": {"ds_a": {"type": "ds.search", "options": {"query": "index=web | stats count",
    "queryParameters": {"earliest": "-1h", "latest": "now"}}}}, "visualizations": {"viz_1": {"type": "splunk.table",
    "title": "Counts", "dataSources": {"primary": "ds_a"}}}}]]></definition>
</dashboard>
"""
DOCTYPE = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><dashboard><label>&e;</label></dashboard>'


@pytest.fixture
def own_views(sandbox: Sandbox) -> Iterator[dict[str, str]]:
    views = {"mcp_tools_test_rich": RICH_XML, "mcp_tools_test_studio": STUDIO, "mcp_tools_test_doctype": DOCTYPE}
    for name, source in views.items():
        sandbox.state.views.put(
            KnowledgeObject(name, shared_acl(), {"label": name, "isDashboard": "1", "eai:data": source})
        )
    try:
        yield views
    finally:
        admin = sandbox.state.accounts.user("admin")
        assert admin is not None
        for name in views:
            sandbox.state.views.delete(name, admin, Namespace("nobody", "search"))


async def test_base_searches_post_processes_saved_search_panels_and_inputs_are_all_extracted(
    gateway: RunningGateway, own_views: dict[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_dashboard", {"name": "mcp_tools_test_rich"})
    keys = ("panel", "type", "id", "base", "saved_search", "query", "earliest")
    assert [tuple(s[k] for k in keys) for s in result.structured_content["searches"]] == [
        (None, "base", "base", None, None, "index=web | stats count by host, status", "-4h"),
        ("Host", "input", None, None, None, "| tstats count where index=web by host", None),
        ("Errors", "table", None, "base", None, "where status >= 500", None),
        ("Saved", "chart", None, None, "Web errors by host", None, None),
    ]
    text = json.loads(result.content[0].text)
    assert [(s["saved_search"], s["base"]) for s in text["searches"]][2:] == [
        (None, "base"),
        ("Web errors by host", None),
    ]


async def test_a_dashboard_studio_definitions_data_sources_are_extracted(
    gateway: RunningGateway, own_views: dict[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_dashboard", {"name": "mcp_tools_test_studio"})
    [search] = result.structured_content["searches"]
    assert (search["panel"], search["query"], search["earliest"], search["latest"]) == (
        "Counts",
        "index=web | stats count",
        "-1h",
        "now",
    )


async def test_a_source_with_a_doctype_is_returned_but_not_parsed(
    gateway: RunningGateway, own_views: dict[str, str]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_dashboard", {"name": "mcp_tools_test_doctype"})
    data = result.structured_content
    assert data["searches"] == []
    assert "DOCTYPE" in data["parse_problem"]
    assert data["source"] == DOCTYPE


async def test_under_a_small_output_limit_the_source_is_cut_and_flagged(sandbox: Sandbox) -> None:
    source = next(o for o in dashboards(sandbox) if o.name == "web_overview").content["eai:data"]
    # 3000 characters leave room for both truncation notes next to some searches and part of the source.
    with running_gateway(sandbox_defaults(sandbox), max_output_chars=3000) as small:
        async with small.client() as client:
            result = await client.call_tool("get_dashboard", {"name": "web_overview"})
    data = result.structured_content
    assert source.startswith(data["source"])
    assert data["truncated"]["source"] == {
        "reason": "output_limit",
        "chars_returned": len(data["source"]),
        "chars_available": len(source),
        "hint": data["truncated"]["source"]["hint"],
    }
    assert "MCP_SPLUNK_MAX_OUTPUT_CHARS" in data["truncated"]["source"]["hint"]
    assert json.loads(result.content[0].text) == data


async def test_an_unknown_dashboard_is_not_found(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("get_dashboard", {"name": "Web Overview"}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "not_found"
    assert "list_dashboards" in result.structured_content["error"]["message"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("get_dashboard", {"name": 'web_overview"'}),
        ("get_dashboard", {"name": "web\noverview"}),
        ("list_dashboards", {"app": "../search"}),
        ("list_dashboards", {"count": 1001}),
    ],
)
async def test_bad_arguments_are_refused_as_invalid(
    gateway: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_argument"


async def test_every_dashboard_tool_is_announced_read_only(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    for name in TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is True
        assert annotations.destructive_hint is False
