"""Dashboard writes over MCP against the sandbox: Simple XML and Dashboard Studio JSON are validated and
policy-checked before saving, read back through get_dashboard, replaced, and deleted only when confirmed."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastmcp import Client

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import Namespace
from tests.support import ADMIN, ANALYST, RunningGateway, error, ok

SIMPLE = """<dashboard>
  <label>Checkout errors</label>
  <row><panel><title>Errors by host</title>
    <chart><search><query>index=web status&gt;=500 | stats count by host</query>
      <earliest>-4h</earliest><latest>now</latest></search></chart>
  </panel></row>
  <row><panel><table><search><query>index=web host=$host$ | top uri</query></search></table></panel></row>
</dashboard>"""
STUDIO = {
    "title": "Checkout studio",
    "visualizations": {"viz_1": {"type": "splunk.line", "title": "Errors", "dataSources": {"primary": "ds_1"}}},
    "dataSources": {
        "ds_1": {"type": "ds.search", "options": {"query": "index=web status>=500 | timechart count"}},
        "ds_2": {"type": "ds.chain", "options": {"extend": "ds_1", "query": "| where count > 0"}},
    },
    "layout": {"type": "absolute", "structure": []},
}


@pytest.fixture
def fresh_name(sandbox: Sandbox) -> Iterator[Callable[[], str]]:
    made: list[str] = []

    def make() -> str:
        made.append(f"mcp_dash_{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    for name in made:
        if any(o.name == name for o in sandbox.state.views.all()):
            sandbox.state.views.delete(name, admin, Namespace("nobody", "search"))


@pytest.fixture
async def client(writable: RunningGateway) -> AsyncIterator[Client[Any]]:
    async with writable.client(ADMIN) as opened:
        yield opened


async def call(client: Client[Any], tool: str, args: dict[str, Any]) -> Any:
    return await client.call_tool(tool, args, raise_on_error=False)


async def test_a_simple_xml_dashboard_reads_back_with_its_panel_searches(
    client: Client[Any], fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    created = ok(await call(client, "create_dashboard", {"name": name, "definition": SIMPLE}))
    assert (created["format"], created["label"], created["root_node"]) == ("simple_xml", "Checkout errors", "dashboard")
    read = ok(await call(client, "get_dashboard", {"name": name}))
    assert read["label"] == "Checkout errors"
    assert [s["query"] for s in read["searches"]] == [
        "index=web status>=500 | stats count by host",
        "index=web host=$host$ | top uri",
    ]
    assert (read["searches"][0]["earliest"], read["searches"][0]["panel"]) == ("-4h", "Errors by host")
    assert read["source"] == SIMPLE


async def test_a_dashboard_studio_definition_reads_back_with_its_data_sources(
    client: Client[Any], fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    created = ok(await call(client, "create_dashboard", {"name": name, "definition": json.dumps(STUDIO)}))
    assert (created["format"], created["label"]) == ("studio", "Checkout studio")
    read = ok(await call(client, "get_dashboard", {"name": name}))
    assert "parse_problem" not in read
    found = {s["id"]: s["query"] for s in read["searches"]}
    assert found == {key: ds["options"]["query"] for key, ds in STUDIO["dataSources"].items()}


@pytest.mark.parametrize(
    ("definition", "said"),
    [
        ("<dashboard><label>x</label>", "not well-formed"),
        ("<html><body/></html>", "<dashboard> or <form>"),
        ('<!DOCTYPE d [<!ENTITY a "aaaa">]><dashboard><label>&a;</label></dashboard>', "DTD"),
        ('{"visualizations": {}}', "dataSources"),
        ('{"visualizations": {"v": {"dataSources": {"primary": "nope"}}}, "dataSources": {}}', "nope"),
        ('{"visualizations": {}, "dataSources": {"s": {"type": "ds.search", "options": {}}}}', "options.query"),
        ("{not json", "not valid JSON"),
    ],
)
async def test_a_malformed_definition_is_refused_saying_what_to_fix(
    client: Client[Any], sandbox: Sandbox, definition: str, said: str
) -> None:
    name = f"mcp_bad_{uuid.uuid4().hex[:8]}"
    failure = error(await call(client, "create_dashboard", {"name": name, "definition": definition}))
    assert failure["code"] == "invalid_argument"
    assert said in failure["message"]
    assert "definition" in failure["message"] or "dataSources" in failure["message"]
    assert not any(o.name == name for o in sandbox.state.views.all())


@pytest.mark.parametrize(
    "query",
    ["index=web | outputlookup stolen.csv", "index=web | $command$ x", "index=web | sendemail to=a@example.com"],
)
async def test_a_panel_search_the_policy_refuses_keeps_the_dashboard_unsaved(
    client: Client[Any], sandbox: Sandbox, query: str
) -> None:
    name = f"mcp_bad_{uuid.uuid4().hex[:8]}"
    source = f"<form><row><panel><table><search><query>{query}</query></search></table></panel></row></form>"
    failure = error(await call(client, "create_dashboard", {"name": name, "definition": source}))
    assert failure["code"] == "policy_violation"
    studio = {"visualizations": {}, "dataSources": {"s": {"type": "ds.search", "options": {"query": query}}}}
    failure = error(await call(client, "create_dashboard", {"name": name, "definition": json.dumps(studio)}))
    assert failure["code"] == "policy_violation"
    assert "'s'" in failure["message"]
    assert not any(o.name == name for o in sandbox.state.views.all())


async def test_an_update_replaces_the_source_and_a_delete_needs_confirm(
    client: Client[Any], sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(client, "create_dashboard", {"name": name, "definition": SIMPLE}))
    replaced = ok(await call(client, "update_dashboard", {"name": name, "definition": json.dumps(STUDIO)}))
    assert (replaced["replaced"], replaced["format"]) == (True, "studio")
    read = ok(await call(client, "get_dashboard", {"name": name}))
    assert {s["id"] for s in read["searches"]} == set(STUDIO["dataSources"])

    unconfirmed = error(await call(client, "delete_dashboard", {"name": name}))
    assert "confirm" in unconfirmed["message"]
    assert name in unconfirmed["message"]
    assert any(o.name == name for o in sandbox.state.views.all())
    deleted = ok(await call(client, "delete_dashboard", {"name": name, "confirm": True}))
    assert (deleted["deleted"], deleted["label"]) == (name, "Checkout studio")
    assert error(await call(client, "get_dashboard", {"name": name}))["code"] == "not_found"
    missing = error(await call(client, "update_dashboard", {"name": name, "definition": SIMPLE}))
    assert missing["code"] == "not_found"
    assert "list_dashboards" in missing["message"]


async def test_an_identity_splunk_denies_shared_dashboards_gets_a_clear_permission_error(
    writable: RunningGateway, sandbox: Sandbox
) -> None:
    name = f"mcp_denied_{uuid.uuid4().hex[:8]}"
    async with writable.client(ANALYST) as analyst:
        result = await analyst.call_tool("create_dashboard", {"name": name, "definition": SIMPLE}, raise_on_error=False)
    failure = error(result)
    assert failure["code"] == "permission_denied"
    assert "dashboards in app 'search'" in failure["message"]
    assert not any(o.name == name for o in sandbox.state.views.all())
