"""Write tools exist only when the operator enables writes, and say truthfully what they do.

With writes off they are absent from tools/list and a call by name fails without touching Splunk; with writes on
they are listed with annotations that match their effect, and every parameter is described for the agent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ADMIN, RunningGateway, running_gateway, sandbox_defaults

# name -> (destructiveHint, idempotentHint), from what each tool does to Splunk.
WRITE_TOOLS = {
    "insert_kvstore_records": (False, False),  # adds records, never overwrites; a repeat adds (or is refused)
    "update_kvstore_record": (True, True),  # replaces a record's fields; the same call again changes nothing
    "delete_kvstore_records": (True, True),
    "create_saved_search": (False, False),  # a repeat fails: the name exists
    "update_saved_search": (True, True),
    "delete_saved_search": (True, True),
}
READ_TOOLS = (
    "list_kvstore_collections",
    "query_kvstore",
    "list_users",
    "list_roles",
    "get_splunk_health",
    "get_configuration",
)


@pytest.fixture(scope="module")
def read_only_gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


async def listed(gateway: RunningGateway) -> dict[str, Any]:
    async with gateway.client(ADMIN) as client:
        return {tool.name: tool for tool in await client.list_tools()}


async def test_with_writes_off_no_write_tool_is_listed(read_only_gateway: RunningGateway) -> None:
    tools = await listed(read_only_gateway)
    assert not set(WRITE_TOOLS) & set(tools)
    assert set(READ_TOOLS) <= set(tools)
    assert all(tool.annotations.read_only_hint for tool in tools.values() if tool.name in READ_TOOLS)


def _kv_records(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    with sandbox.state.kv_lock:
        return {k: dict(v) for k, v in sandbox.state.kv_records("assets").items()}


def _saved_searches(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {o.name: dict(o.content) for o in sandbox.state.saved_searches.all()}


def _calls(marker: str, existing_key: str) -> dict[str, dict[str, Any]]:
    return {
        "insert_kvstore_records": {"collection": "assets", "records": [{"_key": marker, "owner": marker}]},
        "update_kvstore_record": {"collection": "assets", "key": existing_key, "record": {"owner": marker}},
        "delete_kvstore_records": {"collection": "assets", "keys": [existing_key], "confirm": True},
        "create_saved_search": {"name": marker, "search": "index=web | head 1"},
        "update_saved_search": {"name": "Top URIs", "description": marker},
        "delete_saved_search": {"name": "Top URIs", "confirm": True},
    }


@pytest.mark.parametrize("tool", sorted(WRITE_TOOLS))
async def test_with_writes_off_a_write_tool_called_by_name_fails_and_changes_nothing(
    read_only_gateway: RunningGateway, sandbox: Sandbox, tool: str
) -> None:
    marker = f"gating-{uuid.uuid4().hex[:10]}"
    records, searches = _kv_records(sandbox), _saved_searches(sandbox)
    arguments = _calls(marker, sorted(records)[0])[tool]
    async with read_only_gateway.client(ADMIN) as client:
        result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    assert "unknown tool" in result.content[0].text.lower()
    assert tool in result.content[0].text
    assert _kv_records(sandbox) == records
    assert _saved_searches(sandbox) == searches


async def test_with_writes_on_every_write_tool_is_listed_with_truthful_annotations(writable: RunningGateway) -> None:
    tools = await listed(writable)
    for name, (destructive, idempotent) in WRITE_TOOLS.items():
        annotations = tools[name].annotations
        assert annotations.read_only_hint is False, name
        assert (annotations.destructive_hint, annotations.idempotent_hint) == (destructive, idempotent), name


@pytest.mark.parametrize("name", sorted({*WRITE_TOOLS, *READ_TOOLS}))
async def test_every_parameter_is_described_and_unknown_arguments_are_refused(
    writable: RunningGateway, name: str
) -> None:
    tool = (await listed(writable))[name]
    schema = tool.input_schema
    assert schema.get("additionalProperties") is False
    undescribed = [p for p, spec in schema.get("properties", {}).items() if not spec.get("description")]
    assert undescribed == []
    assert len(tool.description) > 80
    async with writable.client(ADMIN) as client:
        result = await client.call_tool(name, {"no_such_argument": 1}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "invalid_argument"
