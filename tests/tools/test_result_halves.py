"""Both halves of every tool result, over raw JSON-RPC (no SDK in between): ``structuredContent`` validates against
the ``outputSchema`` the tool publishes in ``tools/list`` (checked with ``jsonschema``), and the text carries the same
JSON, value for value. A result cut by the output budget says so, and how to get the rest, in both halves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.tools.registry import TOOLS
from tests.support import ADMIN, SAMPLE_CALLS, RawSession, running_gateway, sandbox_defaults, sse_messages

Reply = dict[str, Any]
SMALL_BUDGET = 2000  # MCP_SPLUNK_MAX_OUTPUT_CHARS for the results that must be cut


def list_tools(session: RawSession) -> dict[str, Reply]:
    body = {"jsonrpc": "2.0", "id": 0, "method": "tools/list", "params": {}}
    response = session.http.post(session.url, json=body, headers=session.headers())
    (reply,) = (m for m in sse_messages(response) if m.get("id") == 0)
    return {tool["name"]: tool for tool in reply["result"]["tools"]}


def call(session: RawSession, tool: str, arguments: dict[str, Any]) -> Reply:
    _, reply = session.call(tool, arguments, ADMIN)
    assert reply is not None
    assert "result" in reply, reply
    result: Reply = reply["result"]
    assert not result.get("isError"), result["content"][0]["text"]
    return result


@pytest.fixture(scope="module")
def catalogue(sandbox: Sandbox) -> Iterator[tuple[dict[str, Reply], dict[str, Reply]]]:
    """(tools/list entries, one result per tool), every tool called once with writes on."""
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True) as gateway, httpx.Client(timeout=30) as http:
        session = RawSession(http, gateway.url)
        session.initialize(ADMIN)
        listed = list_tools(session)
        sid = call(session, "run_search", SAMPLE_CALLS["run_search"])["structuredContent"]["sid"]
        results = {
            name: call(session, name, {k: (sid if v == "SID" else v) for k, v in arguments.items()})
            for name, arguments in SAMPLE_CALLS.items()
        }
        yield listed, results


def leaves(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every scalar in ``value`` with its path, to count what one half keeps of the other."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in leaves(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in leaves(item, f"{path}[{index}]")]
    return [(path, json.dumps(value))]


def assert_text_is_the_structured_content(result: Reply) -> None:
    structured = result["structuredContent"]
    text = result["content"][0]["text"]
    expected = leaves(structured)
    kept = set(leaves(json.loads(text)))
    missing = [path for path, value in expected if (path, value) not in kept]
    assert not missing, f"text keeps {100 - 100 * len(missing) // len(expected)} % of the values; misses {missing[:5]}"
    assert json.loads(text) == structured


def test_every_tool_publishes_an_object_output_schema(catalogue: tuple[dict[str, Reply], dict[str, Reply]]) -> None:
    listed, _ = catalogue
    assert set(listed) == {tool.name for tool in TOOLS} == set(SAMPLE_CALLS)
    for name, tool in listed.items():
        schema = tool.get("outputSchema")
        assert schema is not None, f"{name} has no outputSchema"
        assert schema["type"] == "object", name
        jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("name", SAMPLE_CALLS)
def test_the_structured_content_validates_against_the_published_output_schema(
    catalogue: tuple[dict[str, Reply], dict[str, Reply]], name: str
) -> None:
    listed, results = catalogue
    schema = listed[name]["outputSchema"]
    jsonschema.validators.validator_for(schema)(schema).validate(results[name]["structuredContent"])


@pytest.mark.parametrize("name", SAMPLE_CALLS)
def test_the_text_carries_every_value_of_the_structured_content(
    catalogue: tuple[dict[str, Reply], dict[str, Reply]], name: str
) -> None:
    _, results = catalogue
    assert_text_is_the_structured_content(results[name])


# Calls whose results do not fit SMALL_BUDGET: (tool, arguments, the argument that asks for the rest).
CUT = [
    ("run_search", {"query": "index=web | head 60", "earliest_time": "-30d"}, "get_search_results"),
    ("export_search", {"query": "index=web | head 60", "earliest_time": "-30d"}, "run_search"),
    ("list_roles", {}, "offset="),
    ("list_saved_searches", {}, "offset="),
    ("read_lookup", {"name": "http_status.csv", "limit": 200}, "offset="),
    ("query_kvstore", {"collection": "assets", "limit": 200}, "skip="),
]


@pytest.fixture(scope="module")
def small(sandbox: Sandbox) -> Iterator[RawSession]:
    with (
        running_gateway(sandbox_defaults(sandbox), max_output_chars=SMALL_BUDGET) as gateway,
        httpx.Client(timeout=30) as http,
    ):
        session = RawSession(http, gateway.url)
        session.initialize(ADMIN)
        yield session


@pytest.mark.parametrize(("tool", "arguments", "continuation"), CUT, ids=[c[0] for c in CUT])
def test_a_result_cut_by_the_budget_says_so_and_how_to_go_on_in_both_halves(
    small: RawSession, tool: str, arguments: dict[str, Any], continuation: str
) -> None:
    result = call(small, tool, arguments)
    structured, text = result["structuredContent"], result["content"][0]["text"]
    assert len(text) <= SMALL_BUDGET // 2
    assert_text_is_the_structured_content(result)  # the kept part is the same in both halves
    truncated = structured["truncated"]
    hint = structured["hint"] if truncated is True else truncated["hint"]
    assert continuation in hint
    assert hint in text
    if tool == "run_search":
        (link,) = (c for c in result["content"] if c["type"] == "resource_link")
        assert link["uri"].startswith(f"splunk://jobs/{structured['sid']}/results?offset={len(structured['results'])}")


def test_a_text_too_long_for_the_budget_is_cut_with_a_note_that_the_structured_content_is_whole(
    small: RawSession,
) -> None:
    # A saved search's full definition (about 200 settings) is no list to page through: only the text is cut.
    result = call(small, "get_saved_search", {"name": "Top URIs"})
    text = result["content"][0]["text"]
    assert len(text) <= SMALL_BUDGET // 2 < len(json.dumps(result["structuredContent"]))
    assert text.endswith("structuredContent holds the whole result]")
    assert json.dumps(result["structuredContent"], separators=(",", ":"), ensure_ascii=False).startswith(
        text[: SMALL_BUDGET // 4]
    )
