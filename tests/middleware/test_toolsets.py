"""Toolsets: the operator chooses what the server offers, a client's X-MCP-Toolsets header narrows (never widens)
its own view, in tools/list and tools/call alike."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk._serving import gateway_process
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.settings import TOOLSETS, InvalidSettings, load_settings
from mcp_splunk.tools.registry import TOOLS
from tests.support import ACCEPT, ADMIN, RunningGateway, running_gateway, sandbox_defaults

# Written out by hand from the README's catalogue: what each toolset holds.
SEARCH = {
    "run_search",
    "export_search",
    "get_search_results",
    "get_search_job",
    "cancel_search_job",
    "list_search_jobs",
    "touch_search_job",
    "validate_spl",
    "explain_spl",
}
DISCOVERY = {
    "list_indexes",
    "get_index_info",
    "list_sourcetypes",
    "list_sources",
    "list_hosts",
    "get_field_summary",
    "find_data_source",
}
PLATFORM = {
    "user_agent_info",
    "whoami",
    "get_server_info",
    "list_users",
    "list_roles",
    "get_splunk_health",
    "get_configuration",
}
KVSTORE = {"list_kvstore_collections", "query_kvstore"}
WRITES = {
    "insert_kvstore_records",
    "update_kvstore_record",
    "delete_kvstore_records",
    "create_saved_search",
    "update_saved_search",
    "delete_saved_search",
    "create_alert",
    "update_alert",
    "create_dashboard",
    "update_dashboard",
    "delete_dashboard",
    "upload_lookup_file",
    "create_lookup_definition",
}
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))}


@pytest.fixture(scope="module")
def everything(sandbox: Sandbox) -> Iterator[RunningGateway]:
    """Writes allowed and no MCP_SPLUNK_TOOLSETS: the server offers all six toolsets."""
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True) as running:
        yield running


async def listed(gateway: RunningGateway, headers: dict[str, str] | None = None) -> set[str]:
    async with gateway.client({**ADMIN, **(headers or {})}) as client:
        return {tool.name for tool in await client.list_tools()}


def test_the_toolsets_are_the_six_documented_names_and_every_write_tool_is_in_writes() -> None:
    assert TOOLSETS == ("search", "discovery", "knowledge", "kvstore", "platform", "writes")
    assert {tool.name for tool in TOOLS if tool.writes} == WRITES


async def test_by_default_the_server_offers_every_read_toolset_and_writes_only_when_allowed(
    everything: RunningGateway, sandbox: Sandbox
) -> None:
    with_writes = await listed(everything)
    assert with_writes >= SEARCH | DISCOVERY | PLATFORM | KVSTORE | WRITES
    assert with_writes == {tool.name for tool in TOOLS}
    with running_gateway(sandbox_defaults(sandbox)) as read_only:
        assert await listed(read_only) == with_writes - WRITES


async def test_the_header_narrows_tools_list_to_the_named_toolsets(everything: RunningGateway) -> None:
    assert await listed(everything, {"X-MCP-Toolsets": "search, Discovery"}) == SEARCH | DISCOVERY
    assert await listed(everything, {"X-MCP-Toolsets": "writes"}) == WRITES


async def test_a_call_inside_the_headers_toolsets_runs(everything: RunningGateway) -> None:
    async with everything.client({**ADMIN, "X-MCP-Toolsets": "platform"}) as client:
        me = await client.call_tool("whoami", {})
    assert me.structured_content["username"] == "admin"


async def test_a_call_outside_the_headers_toolsets_is_a_tool_error_naming_its_toolset_and_the_header(
    everything: RunningGateway,
) -> None:
    async with everything.client({**ADMIN, "X-MCP-Toolsets": "search,discovery"}) as client:
        result = await client.call_tool("whoami", {}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "tool_not_in_toolsets"
    message = result.content[0].text
    assert "'platform'" in message
    assert "X-MCP-Toolsets" in message


async def test_the_header_never_widens_what_the_operator_offers(sandbox: Sandbox) -> None:
    with running_gateway(sandbox_defaults(sandbox), toolsets="search") as narrow:
        assert await listed(narrow, {"X-MCP-Toolsets": "search,platform"}) == SEARCH
        async with narrow.client({**ADMIN, "X-MCP-Toolsets": "search,platform"}) as client:
            result = await client.call_tool("whoami", {}, raise_on_error=False)
    assert result.is_error
    assert "unknown tool" in result.content[0].text.lower()


@pytest.mark.parametrize("value", ["search,secret-9f3a7c", "", ","])
def test_an_unknown_or_empty_toolset_in_the_header_is_a_400_naming_the_header_without_echoing_it(
    everything: RunningGateway, value: str
) -> None:
    response = httpx.post(
        everything.url,
        headers={"Accept": ACCEPT, "X-MCP-Toolsets": value},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "X-MCP-Toolsets" in message
    assert all(name in message for name in TOOLSETS)
    assert "secret-9f3a7c" not in response.text


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        ({"toolsets": "search,everything"}, "the toolsets are search, discovery, knowledge, kvstore, platform, writes"),
        ({"toolsets": "search,writes"}, "MCP_SPLUNK_ALLOW_WRITES=true"),
    ],
)
def test_a_bad_toolsets_setting_is_one_line_naming_it_and_the_valid_names(
    monkeypatch: pytest.MonkeyPatch, flags: dict[str, str], says: str
) -> None:
    monkeypatch.delenv("MCP_SPLUNK_ALLOW_WRITES", raising=False)
    monkeypatch.setenv("MCP_SPLUNK_TOOLSETS", flags["toolsets"])
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    [line] = refused.value.lines
    assert line.startswith("MCP_SPLUNK_TOOLSETS: ")
    assert says in line
    assert "everything" not in line


async def test_the_serve_flags_choose_toolsets_and_allow_writes() -> None:
    args = ("--sandbox", "--allow-writes", "--toolsets", "search,writes")
    with gateway_process(*args, env=CLEAN_ENV) as process:
        async with Client(StreamableHttpTransport(process.url)) as client:
            names = {tool.name for tool in await client.list_tools()}
    assert names == SEARCH | WRITES
