"""explain_spl through MCP against the sandbox: the explanation as structuredContent, macros expanded by the
target's own parser, and clear errors for bad arguments."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, shared_acl
from mcp_splunk.tools.outputs.explain import SplExplanation
from tests.support import RunningGateway, running_gateway, sandbox_defaults

MACRO = "explain_test_noisy"
MACRO_BODY = "error OR fail"  # no index: its expansion deserves a no-index warning


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    sandbox.state.macros.put(KnowledgeObject(MACRO, shared_acl(), {"definition": MACRO_BODY}, time.time()))
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


async def test_the_tool_is_listed_as_read_only(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        tool = next(t for t in await client.list_tools() if t.name == "explain_spl")
    assert tool.annotations is not None
    assert (tool.annotations.read_only_hint, tool.annotations.destructive_hint) == (True, False)
    assert set(tool.input_schema["properties"]) == {"query", "earliest_time", "latest_time", "expand_macros"}


async def test_a_query_is_explained_with_its_steps_range_indexes_and_warnings(gateway: RunningGateway) -> None:
    query = "index=web | join type=left clientip [search index=security | fields clientip, user]"
    async with gateway.client() as client:
        data = (await client.call_tool("explain_spl", {"query": query})).structured_content
    assert data is not None
    SplExplanation.model_validate(data)
    assert [(s["id"], s["command"]) for s in data["steps"]] == [
        ("1", "search"),
        ("2", "join"),
        ("2a.1", "search"),
        ("2a.2", "fields"),
    ]
    default = gateway.gateway.settings.gateway.default_earliest  # what run_search would use
    assert (data["time_range"]["earliest"], data["time_range"]["all_time"]) == (default, False)
    assert [i["name"] for i in data["indexes"]] == ["web", "security"]
    assert [w["code"] for w in data["warnings"]] == ["join"]


async def test_all_time_asked_for_is_warned_about(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        data = (
            await client.call_tool("explain_spl", {"query": "index=web status=500", "earliest_time": "0"})
        ).structured_content
    assert data is not None
    assert [w["code"] for w in data["warnings"]] == ["all-time"]


async def test_a_macro_is_explained_through_the_targets_parser(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        data = (await client.call_tool("explain_spl", {"query": f"`{MACRO}` | stats count by host"})).structured_content
    assert data is not None
    assert data["macros"] == [{"call": f"`{MACRO}`", "location": "top-level pipeline", "expanded": True}]
    assert data["steps"][0]["spl"] == f"search {MACRO_BODY}"
    assert [w["code"] for w in data["warnings"]] == ["no-index"]
    assert data["notes"] == []


async def test_without_expansion_the_macro_stays_opaque_and_no_index_is_claimed(gateway: RunningGateway) -> None:
    arguments = {"query": f"`{MACRO}` | stats count by host", "expand_macros": False}
    async with gateway.client() as client:
        data = (await client.call_tool("explain_spl", arguments)).structured_content
    assert data is not None
    assert [m["expanded"] for m in data["macros"]] == [False]
    assert [(i["name"], i["kind"]) for i in data["indexes"]] == [(None, "unknown")]
    assert data["warnings"] == []
    assert "unexpanded" in data["notes"][0]


async def test_a_macro_splunk_cannot_expand_is_explained_from_the_text_with_splunks_reason(
    gateway: RunningGateway,
) -> None:
    async with gateway.client() as client:
        data = (
            await client.call_tool("explain_spl", {"query": "index=web | `explain_test_missing`"})
        ).structured_content
    assert data is not None
    assert [m["expanded"] for m in data["macros"]] == [False]
    assert any("cannot parse" in note for note in data["notes"])


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"query": 'index=web "open'}, "'query'"),
        ({"query": "index=web", "earliest_time": "yesterday-ish"}, "earliest_time"),
        ({"query": "index=web", "latest_time": "soon"}, "latest_time"),
        ({"query": "index=web", "verbose": True}, "'verbose'"),
    ],
)
async def test_bad_arguments_get_an_error_naming_what_to_fix(
    gateway: RunningGateway, arguments: dict[str, object], named: str
) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("explain_spl", arguments, raise_on_error=False)
    assert result.is_error
    text = result.content[0].text
    assert named in text
    assert "Traceback" not in text
