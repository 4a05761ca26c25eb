"""Hostile tool arguments get a tool error that says what to fix (``invalid_argument``), never a 5xx or a traceback.

Wrong types (numbers for strings, objects for lists, ...), megabyte strings, negative and huge integers, unknown
argument names, nulls and deeply nested JSON, for run_search, get_search_results, list_indexes, query_kvstore,
read_lookup, get_configuration and validate_spl: through the FastMCP client (2026-07-28) and through raw
handshake-era JSON-RPC, and as properties over arbitrary JSON arguments. Every test checks that the gateway and
the sandbox logged no traceback, no ERROR record and no 5xx answer (``tests/logcheck.py``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from mcp_splunk import errors
from mcp_splunk.tools.indexes import ListIndexesParams
from mcp_splunk.tools.knowledge import ReadLookupParams
from mcp_splunk.tools.kvstore import QueryKvstoreParams
from mcp_splunk.tools.platform import GetConfigurationParams
from mcp_splunk.tools.search import RunSearchParams
from mcp_splunk.tools.search_jobs import ResultsParams
from mcp_splunk.tools.validate import ValidateSplParams
from tests.logcheck import LogWatch, http, log, no_server_errors, stateful, stateless  # noqa: F401 - fixtures used by name
from tests.strategies import json_scalars, json_values
from tests.support import ACCEPT, RawSession, RunningGateway

PARAMS: dict[str, type[BaseModel]] = {
    "run_search": RunSearchParams,
    "get_search_results": ResultsParams,
    "list_indexes": ListIndexesParams,
    "query_kvstore": QueryKvstoreParams,
    "read_lookup": ReadLookupParams,
    "get_configuration": GetConfigurationParams,
    "validate_spl": ValidateSplParams,
}
CODES = {
    cls.code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.GatewayError)
} - {"gateway_error"}
META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "hostile", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def nested_dict(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def nested_list(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


# -- how a result must look -----------------------------------------------------------------------------------
def failure(structured: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """The structured error of a tool error result, checked for a clear message."""
    assert structured is not None, text
    error: dict[str, Any] = structured["error"]
    assert error["code"] in CODES, error
    assert error["message"], error
    assert not text.startswith("Error calling tool"), text  # FastMCP's answer to an unhandled exception
    assert len(error["message"]) < 2000, "the message echoes the input"
    return error


async def call(gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> Any:
    async with gateway.client() as client:
        return await client.call_tool(tool, arguments, raise_on_error=False)


async def invalid(gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> str:
    """Through the FastMCP client: the invalid_argument message."""
    result = await call(gateway, tool, arguments)
    assert result.is_error, result.content[0].text[:300]
    error = failure(result.structured_content, result.content[0].text)
    assert error["code"] == "invalid_argument", error
    message: str = error["message"]
    return message


def raw_invalid(http: httpx.Client, gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> str:
    """Through raw handshake-era JSON-RPC on a stateless server: the invalid_argument message."""
    response, reply = RawSession(http, gateway.url).call(tool, arguments, session=False)
    assert response.status_code == 200
    assert reply is not None
    result = reply["result"]
    assert result["isError"] is True
    error = failure(result.get("structuredContent"), result["content"][0]["text"])
    assert error["code"] == "invalid_argument", error
    message: str = error["message"]
    return message


# -- wrong types, sizes, numbers, names and nulls ---------------------------------------------------------------
WRONG_TYPES = [
    ("run_search", {"query": 5}, "query: Input should be a valid string"),
    ("run_search", {"query": ["index=main"]}, "query: Input should be a valid string"),
    ("run_search", {"query": {"spl": "index=main"}}, "query: Input should be a valid string"),
    ("run_search", {"query": "index=main", "row_limit": "ten"}, "row_limit: Input should be a valid integer"),
    ("run_search", {"query": "index=main", "row_limit": 1.5}, "row_limit: Input should be a valid integer"),
    ("run_search", {"query": "index=main", "wait_seconds": "soon"}, "wait_seconds: Input should be a valid number"),
    ("run_search", {"query": "index=main", "earliest_time": {"rel": "-1h"}}, "earliest_time: Input should be a valid"),
    ("run_search", {"query": "index=main", "latest_time": ["now"]}, "latest_time: Input should be a valid string"),
    ("get_search_results", {"sid": 1234567890.5}, "sid: Input should be a valid string"),
    ("get_search_results", {"sid": "1.1", "kind": ["results"]}, "kind: Input should be 'results' or 'events'"),
    ("get_search_results", {"sid": "1.1", "count": "all"}, "count: Input should be a valid integer"),
    ("list_indexes", {"include_internal": "maybe"}, "include_internal: Input should be a valid boolean"),
    ("list_indexes", {"filter": ["main"]}, "filter: Input should be a valid string"),
    ("list_indexes", {"count": {"n": 5}}, "count: Input should be a valid integer"),
    ("query_kvstore", {"collection": ["assets"]}, "collection: Input should be a valid string"),
    ("query_kvstore", {"collection": "assets", "query": "owner=dba"}, "query: Input should be a valid dictionary"),
    ("query_kvstore", {"collection": "assets", "query": [{"owner": "dba"}]}, "query: Input should be a valid dict"),
    ("query_kvstore", {"collection": "assets", "fields": {"owner": 1}}, "fields: Input should be a valid list"),
    ("query_kvstore", {"collection": "assets", "sort": "owner"}, "sort: Input should be a valid list"),
    ("query_kvstore", {"collection": "assets", "fields": [1, 2]}, "fields.0: Input should be a valid string"),
    ("read_lookup", {"name": 404}, "name: Input should be a valid string"),
    ("read_lookup", {"name": "http_status.csv", "limit": [100]}, "limit: Input should be a valid integer"),
    ("get_configuration", {"conf_file": {"name": "props"}}, "conf_file: Input should be a valid string"),
    ("get_configuration", {"conf_file": "props", "stanza": 7}, "stanza: Input should be a valid string"),
    ("validate_spl", {"query": 3.14}, "query: Input should be a valid string"),
    ("validate_spl", {"query": True}, "query: Input should be a valid string"),
]
HUGE = [
    ("run_search", {"query": "x" * 1_000_000}, "query: String should have at most 20000 characters"),
    ("validate_spl", {"query": "index=main " * 100_000}, "query: String should have at most 20000 characters"),
    ("run_search", {"query": "index=main", "earliest_time": "-" + "1" * 1000 + "h"}, "at most 100 characters"),
    ("list_indexes", {"filter": "*" * 100_000}, "filter: String should have at most 200 characters"),
    ("query_kvstore", {"collection": "a" * 10_000}, "collection: String should match pattern"),
    ("query_kvstore", {"collection": "assets", "query": {"owner": "x" * 1_000_000}}, "longer than 20000 characters"),
    ("query_kvstore", {"collection": "assets", "fields": ["owner"] * 1000}, "fields: List should have at most 100"),
    ("read_lookup", {"name": "x" * 100_000}, "name: String should match pattern"),
    ("get_configuration", {"conf_file": "props", "stanza": "s" * 1_000_000}, "at most 1024 characters"),
    ("get_search_results", {"sid": "1" * 100_000}, "sid: String should match pattern"),
]
OUT_OF_RANGE = [
    ("run_search", {"query": "index=main", "row_limit": 0}, "row_limit: Input should be greater than or equal to 1"),
    ("run_search", {"query": "index=main", "row_limit": -5}, "row_limit: Input should be greater than or equal to 1"),
    ("run_search", {"query": "index=main", "wait_seconds": -1}, "wait_seconds: Input should be greater than 0"),
    ("get_search_results", {"sid": "1.1", "offset": -1}, "offset: Input should be greater than or equal to 0"),
    ("get_search_results", {"sid": "1.1", "count": 0}, "count: Input should be greater than or equal to 1"),
    ("list_indexes", {"count": 10**30}, "count: Input should be less than or equal to 1000"),
    ("list_indexes", {"offset": -(10**30)}, "offset: Input should be greater than or equal to 0"),
    ("query_kvstore", {"collection": "assets", "limit": -1}, "limit: Input should be greater than or equal to 1"),
    ("query_kvstore", {"collection": "assets", "skip": -1}, "skip: Input should be greater than or equal to 0"),
    ("read_lookup", {"name": "http_status.csv", "offset": -(2**63)}, "offset: Input should be greater than or equal"),
    ("get_configuration", {"conf_file": "props", "count": 2**64}, "count: Input should be less than or equal to 1000"),
]
UNKNOWN_NAMES = [
    ("run_search", {"query": "index=main", "querry": "x"}, "unknown argument 'querry' (this tool takes: query, "),
    ("list_indexes", {"name": "main"}, "unknown argument 'name' (this tool takes: filter, include_internal, "),
    ("validate_spl", {"spl": "index=main"}, "query: Field required; unknown argument 'spl'"),
    ("get_configuration", {"conf_file": "props", "../../etc": 1, "x": 2}, "unknown arguments '../../etc', 'x'"),
    ("read_lookup", {"name": "http_status.csv", "limits": 5}, "unknown argument 'limits' (this tool takes: name, "),
    ("get_search_results", {"sid": "1.1", "page": 2}, "unknown argument 'page'"),
    ("query_kvstore", {"collection": "assets", "where": {}}, "unknown argument 'where'"),
]
NULLS = [
    ("run_search", {"query": None}, "query: Input should be a valid string"),
    ("get_search_results", {"sid": None}, "sid: Input should be a valid string"),
    ("list_indexes", {"count": None}, "count: Input should be a valid integer"),
    ("list_indexes", {"include_internal": None}, "include_internal: Input should be a valid boolean"),
    ("query_kvstore", {"collection": None}, "collection: Input should be a valid string"),
    ("read_lookup", {"name": None}, "name: Input should be a valid string"),
    ("get_configuration", {"conf_file": None}, "conf_file: Input should be a valid string"),
    ("validate_spl", {"query": None}, "query: Input should be a valid string"),
    ("run_search", {}, "query: Field required"),
    ("query_kvstore", {}, "collection: Field required"),
]
CASES = [
    *(pytest.param(*case, id=f"wrong-type-{n}-{case[0]}") for n, case in enumerate(WRONG_TYPES)),
    *(pytest.param(*case, id=f"huge-{n}-{case[0]}") for n, case in enumerate(HUGE)),
    *(pytest.param(*case, id=f"out-of-range-{n}-{case[0]}") for n, case in enumerate(OUT_OF_RANGE)),
    *(pytest.param(*case, id=f"unknown-name-{n}-{case[0]}") for n, case in enumerate(UNKNOWN_NAMES)),
    *(pytest.param(*case, id=f"null-{n}-{case[0]}") for n, case in enumerate(NULLS)),
]


@pytest.mark.parametrize(("tool", "arguments", "fragment"), CASES)
async def test_bad_arguments_are_an_invalid_argument_naming_the_argument(
    stateful: RunningGateway, tool: str, arguments: dict[str, Any], fragment: str
) -> None:
    message = await invalid(stateful, tool, arguments)
    assert message.startswith("Invalid arguments: ") or tool == "query_kvstore", message
    assert fragment in message, message


@pytest.mark.parametrize(("tool", "arguments", "fragment"), CASES)
def test_bad_arguments_over_raw_json_rpc_get_the_same_answer(
    stateless: RunningGateway, http: httpx.Client, tool: str, arguments: dict[str, Any], fragment: str
) -> None:
    assert fragment in raw_invalid(http, stateless, tool, arguments)


async def test_an_unknown_argument_name_is_shown_short_and_printable(stateful: RunningGateway) -> None:
    message = await invalid(stateful, "read_lookup", {"name": "http_status.csv", "k" * 10_000: 1, "\x00\u202e\n": 2})
    assert "k" * 49 not in message
    assert "\x00" not in message
    assert "\u202e" not in message
    assert "\n" not in message
    assert "(this tool takes: name, limit, offset)" in message


async def test_a_long_list_of_problems_is_cut_to_ten(stateful: RunningGateway) -> None:
    message = await invalid(stateful, "query_kvstore", {"collection": "assets", "fields": list(range(30))})
    assert "fields.9:" in message
    assert "fields.10:" not in message
    assert "(and 20 more)" in message


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("run_search", {"query": "index=main | head 1", "row_limit": 10**30, "wait_seconds": 1e300}),
        ("run_search", {"query": "index=main | head 99999999999999999999999"}),
        ("list_indexes", {"offset": 10**30}),
        ("read_lookup", {"name": "http_status.csv", "limit": 2**63}),
        ("read_lookup", {"name": "http_status.csv", "offset": 2**62}),
        ("query_kvstore", {"collection": "assets", "skip": 10**30}),
        ("query_kvstore", {"collection": "assets", "limit": 2**63, "query": {"criticality": 1e308}}),
        ("get_configuration", {"conf_file": "props", "offset": 2**62}),
        ("get_search_results", {"sid": "1.1", "count": 10**30, "offset": 10**30}),
    ],
)
async def test_huge_but_valid_numbers_get_an_answer_or_a_clear_error(
    stateful: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    result = await call(stateful, tool, arguments)
    if result.is_error:
        failure(result.structured_content, result.content[0].text)


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        (
            "run_search",
            {"query": "index=main | head 1", "earliest_time": None, "row_limit": None, "wait_seconds": None},
        ),
        ("list_indexes", {"filter": None}),
        ("query_kvstore", {"collection": "assets", "query": None, "fields": None, "sort": None, "limit": None}),
        ("read_lookup", {"name": "http_status.csv", "limit": None}),
        ("get_configuration", {"conf_file": "props", "stanza": None}),
    ],
)
async def test_null_for_an_optional_argument_means_the_default(
    stateful: RunningGateway, tool: str, arguments: dict[str, Any]
) -> None:
    result = await call(stateful, tool, arguments)
    assert not result.is_error, result.content[0].text[:300]


async def test_deeply_nested_json_in_an_argument_gets_a_clear_answer(stateful: RunningGateway) -> None:
    deep = nested_dict(150)
    assert "query: Input should be a valid string" in await invalid(stateful, "run_search", {"query": deep})
    assert "fields.0: Input should be a valid string" in await invalid(
        stateful, "query_kvstore", {"collection": "assets", "fields": nested_list(150)}
    )
    result = await call(stateful, "query_kvstore", {"collection": "assets", "query": deep})
    if result.is_error:
        failure(result.structured_content, result.content[0].text)
    result = await call(stateful, "query_kvstore", {"collection": "assets", "query": {"a": {"$in": nested_list(150)}}})
    if result.is_error:
        failure(result.structured_content, result.content[0].text)


def test_arguments_nested_deeper_than_the_parser_allows_are_a_json_rpc_parse_error(
    stateless: RunningGateway, http: httpx.Client
) -> None:
    arguments = b'{"collection": "assets", "query": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1000 + b"}"
    payload = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "query_kvstore", "arguments": '
    headers = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": "2025-11-25"}
    response = http.post(stateless.url, content=payload + arguments + b"}}", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700


def test_arguments_that_are_not_an_object_are_a_json_rpc_invalid_params(
    stateless: RunningGateway, http: httpx.Client
) -> None:
    for arguments in ([1, 2], "index=main", 5, True):
        body = {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "run_search", "arguments": arguments},
        }
        headers = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": "2025-11-25"}
        answer = http.post(stateless.url, content=json.dumps(body), headers=headers).json()
        assert answer["id"] == 7
        assert answer["error"]["code"] == -32602
        assert '"params.arguments" must be a JSON object' in answer["error"]["message"]


# -- properties: arbitrary JSON arguments ----------------------------------------------------------------------
JSON_SCALARS = json_scalars(max_text=30)
JSON_VALUES = json_values(max_text=30, max_leaves=10)
# Values a real client might send, so that some examples get past validation and reach the sandbox.
PLAUSIBLE = st.sampled_from(
    [
        "index=main | head 2",
        "index=web status>=500 | stats count by host",
        "assets",
        "http_status.csv",
        "http_status",
        "props",
        "main",
        "-1h",
        "-7d@d",
        "now",
        "1.1",
        "results",
        "events",
        0,
        1,
        5,
        -1,
        2**31,
        2**63,
        {"owner": "dba"},
        {"criticality": {"$gte": 3}},
        ["owner", "-criticality"],
        "",
        "*",
    ]
)


def arguments_for(tool: str) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(sorted(PARAMS[tool].model_fields)) | st.text(max_size=12)
    return st.dictionaries(names, JSON_VALUES | PLAUSIBLE, max_size=5)


def modern_call(http: httpx.Client, gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A 2026-07-28 tools/call over raw HTTP: the JSON-RPC reply, from a JSON or an SSE body."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments, "_meta": META},
    }
    headers = {
        "Accept": ACCEPT,
        "Content-Type": "application/json",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Mcp-Name": tool,
    }
    response = http.post(gateway.url, content=json.dumps(body), headers=headers)
    assert response.status_code < 500, response.text[:300]
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        messages = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
    else:
        messages = [response.json()]
    reply: dict[str, Any] = next(m for m in messages if m.get("id") == 1)
    return reply


def check_reply(reply: dict[str, Any]) -> None:
    if "error" in reply:  # a JSON-RPC error is fine, as long as it says something
        assert reply["error"]["message"]
        return
    result = reply["result"]
    if result.get("isError"):
        failure(result.get("structuredContent"), result["content"][0]["text"])


@pytest.mark.parametrize("tool", sorted(PARAMS))
@PROPERTY
@given(data=st.data())
def test_any_json_arguments_get_a_result_or_a_clear_tool_error(
    stateful: RunningGateway, stateless: RunningGateway, http: httpx.Client, tool: str, data: st.DataObject
) -> None:
    arguments = data.draw(arguments_for(tool), label="arguments")
    if data.draw(st.booleans(), label="2026-07-28"):
        check_reply(modern_call(http, stateful, tool, arguments))
    else:
        response, reply = RawSession(http, stateless.url).call(tool, arguments, session=False)
        assert response.status_code < 500
        assert reply is not None
        check_reply(reply)


# -- limits of the time modifiers and numbers themselves ---------------------------------------------------------
@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("run_search", {"query": "index=main", "earliest_time": "-999999999d"}),
        ("run_search", {"query": "index=main", "earliest_time": "-99999y"}),
        ("run_search", {"query": "index=main", "latest_time": "+99999mon"}),
        ("run_search", {"query": "index=main earliest=-99999999999d"}),
        ("export_search", {"query": "index=main", "earliest_time": "-999999999999999999999s"}),
        ("list_sourcetypes", {"earliest_time": "-99999y"}),
    ],
)
async def test_an_out_of_range_time_modifier_is_an_invalid_argument(
    stateful: RunningGateway, no_server_errors: LogWatch, tool: str, arguments: dict[str, Any]
) -> None:
    result = await call(stateful, tool, arguments)
    no_server_errors.assert_clean()
    assert result.is_error
    assert failure(result.structured_content, result.content[0].text)["code"] == "invalid_argument"


async def test_a_search_with_a_5000_digit_number_is_answered_without_a_sandbox_error(
    stateful: RunningGateway, no_server_errors: LogWatch
) -> None:
    result = await call(stateful, "run_search", {"query": "index=main | head 1 | eval x=" + "9" * 5000})
    no_server_errors.assert_clean()
    if result.is_error:
        assert failure(result.structured_content, result.content[0].text)["code"] != "splunk_server_error"
