"""Macro, lookup and app tools through an MCP client over HTTP against the sandbox, checked against the sandbox's
own knowledge objects and lookup tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from splunklib import client as splunk_client

from mcp_splunk.sandbox import Sandbox
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults

TOOLS = ("list_macros", "list_lookups", "read_lookup", "list_apps")
HTTP_STATUS_FILE = "http_status.csv"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def split(value: Any) -> list[str]:
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


async def page_through(client: Any, tool: str, key: str, arguments: dict[str, Any], size: int) -> list[Any]:
    rows: list[Any] = []
    offset: int | None = 0
    while offset is not None:
        data = (await client.call_tool(tool, {**arguments, "offset": offset, "count": size})).structured_content
        rows.extend(data[key])
        offset = data["paging"]["next_offset"]
    return rows


async def test_list_macros_gives_each_macros_definition_and_arguments(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_macros", {})
    expected = sorted(
        (
            {"name": o.name, "definition": o.content["definition"], "args": split(o.content.get("args"))}
            for o in sandbox.state.macros.all()
        ),
        key=lambda m: m["name"].lower(),
    )
    rows = result.structured_content["macros"]
    assert [{k: r[k] for k in ("name", "definition", "args")} for r in rows] == expected
    assert any(m["args"] for m in expected)  # the sample data has a macro with an argument
    text = json.loads(result.content[0].text)
    assert [{k: r[k] for k in ("name", "definition", "args")} for r in text["macros"]] == expected


async def test_paging_through_macros_reassembles_the_full_list(gateway: RunningGateway, sandbox: Sandbox) -> None:
    async with gateway.client() as client:
        rows = await page_through(client, "list_macros", "macros", {}, 1)
    assert [r["name"] for r in rows] == sorted((o.name for o in sandbox.state.macros.all()), key=str.lower)


async def test_list_lookups_gives_definitions_and_table_files_with_type_and_fields(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("list_lookups", {})
    rows = {(r["object"], r["name"]): r for r in result.structured_content["lookups"]}
    definitions = sandbox.state.lookup_definitions.all()
    files = sandbox.state.lookup_files.all()
    assert set(rows) == {("definition", o.name) for o in definitions} | {("table_file", o.name) for o in files}
    for definition in definitions:
        row = rows[("definition", definition.name)]
        assert row["type"] == definition.content["type"]
        assert row["filename"] == (definition.content.get("filename") or None)
        assert row["collection"] == (definition.content.get("collection") or None)
        assert row["fields"] == (split(definition.content.get("fields_list")) or None)
    kvstore = next(o for o in definitions if o.content["type"] == "kvstore")
    assert rows[("definition", kvstore.name)]["fields"] == split(kvstore.content["fields_list"])
    table_file = rows[("table_file", HTTP_STATUS_FILE)]
    assert table_file["type"] == "file"
    assert table_file["definitions"] == [o.name for o in definitions if o.content.get("filename") == HTTP_STATUS_FILE]
    assert kvstore.name in result.content[0].text


async def test_paging_through_lookups_reassembles_the_full_list(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        full = (await client.call_tool("list_lookups", {"count": 1000})).structured_content["lookups"]
        paged = await page_through(client, "list_lookups", "lookups", {}, 1)
    assert paged == full


@pytest.mark.parametrize("name", [HTTP_STATUS_FILE, "http_status"])
async def test_read_lookup_returns_the_rows_of_a_csv_lookup_by_file_or_definition_name(
    gateway: RunningGateway, sandbox: Sandbox, name: str
) -> None:
    table = sandbox.state.lookup_tables[HTTP_STATUS_FILE]
    async with gateway.client() as client:
        result = await client.call_tool("read_lookup", {"name": name, "limit": 5})
    data = result.structured_content
    assert data["rows"] == table[:5]
    assert data["paging"] == {"offset": 0, "count": 5, "total": len(table), "has_more": True, "next_offset": 5}
    assert data["lookup"]["name"] == name
    assert json.loads(result.content[0].text)["rows"] == table[:5]


async def test_paging_through_a_lookup_reassembles_every_row(gateway: RunningGateway, sandbox: Sandbox) -> None:
    table = sandbox.state.lookup_tables[HTTP_STATUS_FILE]
    rows: list[dict[str, Any]] = []
    offset: int | None = 0
    async with gateway.client(mode="legacy") as client:
        while offset is not None:
            data = (
                await client.call_tool("read_lookup", {"name": HTTP_STATUS_FILE, "offset": offset, "limit": 7})
            ).structured_content
            assert data["paging"]["total"] == len(table)
            rows.extend(data["rows"])
            offset = data["paging"]["next_offset"]
    assert rows == table


async def test_read_lookup_reads_a_kv_store_backed_lookup(gateway: RunningGateway, sandbox: Sandbox) -> None:
    definition = next(o for o in sandbox.state.lookup_definitions.all() if o.content["type"] == "kvstore")
    records = sandbox.state.kv_records(definition.content["collection"])
    async with gateway.client() as client:
        result = await client.call_tool("read_lookup", {"name": definition.name, "limit": 1000})
    data = result.structured_content
    assert sorted(r["hostname"] for r in data["rows"]) == sorted(str(r["hostname"]) for r in records.values())
    assert data["paging"]["total"] == len(records)
    assert data["lookup"]["type"] == "kvstore"


async def test_read_lookup_returns_at_most_the_operators_row_limit(sandbox: Sandbox) -> None:
    table = sandbox.state.lookup_tables[HTTP_STATUS_FILE]
    with running_gateway(sandbox_defaults(sandbox), max_row_limit=4) as small:
        async with small.client() as client:
            result = await client.call_tool("read_lookup", {"name": HTTP_STATUS_FILE, "limit": 50})
    data = result.structured_content
    assert data["rows"] == table[:4]
    assert data["paging"]["has_more"] is True
    assert data["paging"]["total"] == len(table)


async def test_under_a_small_output_limit_rows_are_cut_flagged_and_still_page_to_the_full_table(
    sandbox: Sandbox,
) -> None:
    table = sandbox.state.lookup_tables[HTTP_STATUS_FILE]
    rows: list[dict[str, Any]] = []
    offset: int | None = 0
    with running_gateway(sandbox_defaults(sandbox), max_output_chars=1000) as small:
        async with small.client() as client:
            first = (await client.call_tool("read_lookup", {"name": HTTP_STATUS_FILE, "limit": 100})).structured_content
            while offset is not None:
                data = (
                    await client.call_tool("read_lookup", {"name": HTTP_STATUS_FILE, "offset": offset, "limit": 100})
                ).structured_content
                rows.extend(data["rows"])
                offset = data["paging"]["next_offset"]
            lookups = (await client.call_tool("list_lookups", {})).structured_content
    assert 0 < len(first["rows"]) < len(table)
    assert first["truncated"] == {
        "reason": "output_limit",
        "rows_returned": len(first["rows"]),
        "rows_available": len(table),
        "hint": f"Cut to fit the output limit: call again with offset={len(first['rows'])} for the rest.",
    }
    assert first["paging"]["next_offset"] == len(first["rows"])
    assert rows == table
    assert "truncated" in lookups
    assert lookups["paging"]["count"] == len(lookups["lookups"]) < lookups["paging"]["total"]


@pytest.mark.parametrize("name", ["no_such_lookup", "no_such_file.csv"])
async def test_an_unknown_lookup_is_not_found(gateway: RunningGateway, name: str) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("read_lookup", {"name": name}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "not_found"
    assert "list_lookups" in result.structured_content["error"]["message"]


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("read_lookup", {"name": 'http_status" | outputlookup x.csv'}),
        ("read_lookup", {"name": "http_status | delete"}),
        ("read_lookup", {"name": "'http_status'"}),
        ("read_lookup", {"name": "http_status", "limit": 0}),
        ("list_lookups", {"count": 1001}),
        ("list_macros", {"offset": -1}),
        ("list_apps", {"count": 5000}),
    ],
)
async def test_bad_arguments_are_refused_as_invalid(
    gateway: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_argument"


async def test_list_apps_gives_every_installed_app(gateway: RunningGateway, sandbox: Sandbox) -> None:
    service = splunk_client.connect(
        host="127.0.0.1", port=sandbox.port, scheme=sandbox.scheme, username="admin", password="changeme"
    )
    expected = {app.name: app.content for app in service.apps.list()}  # splunklib's own reading of apps/local
    async with gateway.client(ANALYST) as client:
        result = await client.call_tool("list_apps", {})
        paged = await page_through(client, "list_apps", "apps", {}, 4)
    rows = result.structured_content["apps"]
    assert [r["name"] for r in rows] == sorted(expected)
    for row in rows:
        assert row["label"] == expected[row["name"]]["label"]
        assert row["version"] == expected[row["name"]]["version"]
        assert row["visible"] is (expected[row["name"]]["visible"] == "1")
    assert paged == rows
    assert all(name in result.content[0].text for name in expected)


async def test_every_knowledge_tool_is_announced_read_only(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
    for name in TOOLS:
        annotations = tools[name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is True
        assert annotations.destructive_hint is False


async def test_reading_a_lookup_past_its_end_reports_its_real_size(gateway: RunningGateway, sandbox: Sandbox) -> None:
    rows = len(sandbox.state.lookup_tables["http_status.csv"])
    async with gateway.client() as client:
        result = await client.call_tool("read_lookup", {"name": "http_status.csv", "offset": 2**40})
    data = result.structured_content
    assert data["rows"] == []
    assert data["paging"]["total"] == rows
    assert data["paging"]["has_more"] is False
