"""Lookup writes over MCP against the sandbox: an uploaded CSV reads back row for row through read_lookup, a
definition on it works by name, and CSV that is too large, ragged or carries spreadsheet formulas is refused."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastmcp import Client

from mcp_splunk.sandbox import Sandbox
from tests.support import ADMIN, ANALYST, RunningGateway, error, ok, running_gateway, sandbox_defaults

MAX_BYTES = 400
VIPS = 'host,owner,criticality\nweb-01,alice,-5\nweb-02,"bob, jr",3\ndb-01,carol,10\n'


@pytest.fixture(scope="module")
def writable(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True, max_lookup_bytes=MAX_BYTES) as running:
        yield running


@pytest.fixture
async def client(writable: RunningGateway) -> AsyncIterator[Client[Any]]:
    async with writable.client(ADMIN) as opened:
        yield opened


async def call(client: Client[Any], tool: str, args: dict[str, Any]) -> Any:
    return await client.call_tool(tool, args, raise_on_error=False)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_an_uploaded_file_and_its_definition_read_back_row_for_row(client: Client[Any]) -> None:
    stem = f"mcp_vips_{uuid.uuid4().hex[:8]}"
    written = ok(await call(client, "upload_lookup_file", {"name": f"{stem}.csv", "content": VIPS}))
    assert (written["fields"], written["rows"], written["replaced"]) == (["host", "owner", "criticality"], 3, False)
    by_file = ok(await call(client, "read_lookup", {"name": f"{stem}.csv"}))
    assert by_file["rows"] == rows_of(VIPS)

    defined = ok(await call(client, "create_lookup_definition", {"name": stem, "filename": f"{stem}.csv"}))
    assert (defined["filename"], defined["fields"]) == (f"{stem}.csv", ["host", "owner", "criticality"])
    by_definition = ok(await call(client, "read_lookup", {"name": stem}))
    assert by_definition["rows"] == rows_of(VIPS)
    listed = ok(await call(client, "list_lookups", {"filter": f"{stem}*"}))["lookups"]
    assert {(r["object"], r["name"]) for r in listed} == {("definition", stem), ("table_file", f"{stem}.csv")}
    again = ok(await call(client, "create_lookup_definition", {"name": stem, "filename": f"{stem}.csv"}))
    assert again == defined
    other = {"name": stem, "filename": f"{stem}.csv", "case_sensitive_match": False}
    assert "another name" in error(await call(client, "create_lookup_definition", other))["message"]


async def test_replacing_a_file_needs_confirm(client: Client[Any]) -> None:
    name = f"mcp_swap_{uuid.uuid4().hex[:8]}.csv"
    ok(await call(client, "upload_lookup_file", {"name": name, "content": VIPS}))
    newer = "host,owner\nweb-09,dave\n"
    refused = error(await call(client, "upload_lookup_file", {"name": name, "content": newer}))
    assert "confirm" in refused["message"]
    assert name in refused["message"]
    assert ok(await call(client, "read_lookup", {"name": name}))["rows"] == rows_of(VIPS)
    replaced = ok(await call(client, "upload_lookup_file", {"name": name, "content": newer, "confirm": True}))
    assert replaced["replaced"] is True
    assert ok(await call(client, "read_lookup", {"name": name}))["rows"] == rows_of(newer)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("host,owner\n" + "web-01,alice\n" * 40, "MCP_SPLUNK_MAX_LOOKUP_BYTES"),
        ("host,owner\nweb-01\n", "row 2 has 1 cells"),
        ("host,host\nweb-01,alice\n", "header"),
        ('host,owner\nweb-01,=HYPERLINK("http://x")\n', "formula"),
        ("host,owner\nweb-01,@SUM(A1)\n", "formula"),
        ("host,owner\nweb-01,-2+3\n", "formula"),
        ("\n\n", "empty"),
    ],
)
async def test_csv_that_is_too_large_ragged_or_formula_bearing_is_refused(
    client: Client[Any], sandbox: Sandbox, content: str, said: str
) -> None:
    name = f"mcp_bad_{uuid.uuid4().hex[:8]}.csv"
    failure = error(await call(client, "upload_lookup_file", {"name": name, "content": content}))
    assert failure["code"] == "invalid_argument"
    assert said in failure["message"]
    assert name not in sandbox.state.lookup_tables


async def test_a_definition_on_a_missing_file_is_refused_naming_filename(client: Client[Any]) -> None:
    failure = error(await call(client, "create_lookup_definition", {"name": "nowhere", "filename": "nowhere.csv"}))
    assert failure["code"] == "invalid_argument"
    assert "upload_lookup_file" in failure["message"]


async def test_an_identity_splunk_denies_uploads_gets_a_clear_permission_error(
    writable: RunningGateway, sandbox: Sandbox
) -> None:
    name = f"mcp_denied_{uuid.uuid4().hex[:8]}.csv"
    async with writable.client(ANALYST) as analyst:
        result = await analyst.call_tool("upload_lookup_file", {"name": name, "content": VIPS}, raise_on_error=False)
    failure = error(result)
    assert failure["code"] == "permission_denied"
    assert "upload_lookup_files" in failure["message"]
    assert name not in sandbox.state.lookup_tables
