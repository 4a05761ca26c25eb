"""The security review's SPL findings, attacked through MCP against the sandbox: nothing refused reaches Splunk.

Each class is tried in several forms the review did not quote: other field names, encodings, nesting depths and
commands. "Reaches Splunk" is measured on the sandbox itself: a refused search leaves no job behind.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.masking import is_secret
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace, shared_acl
from tests.support import RunningGateway, running_gateway, sandbox_defaults

# Finding 1: a subsearch whose rows carry a search/query field (or data-chosen field names) is SPL built from data.
DATA_TO_SPL = {
    "renamed searchX": '[| makeresults | eval searchX="status=200 | outputlookup x.csv" | rename *X as * '
    "| fields - _time]",
    "renamed queryX": '[| makeresults | eval queryX="x | collect index=s" | rename *X as * | fields query]',
    "quoted eval target": "[| makeresults | eval 'search'=\"x | outputlookup y.csv\" | fields 'search']",
    "spath of json": (
        '[| makeresults | eval _raw="{\\"search\\": \\"x | outputlookup y.csv\\"}" | spath | fields search]'
    ),
    "collect variant": '[| makeresults | eval search="x | collect index=main" | table search]',
    "events of another index": "[search index=main | head 1]",
    "a lookup's own columns": "[| inputlookup http_status.csv]",
    "three deep": '[search index=main [search index=main [| makeresults | eval query="| delete" | table query] '
    "| fields host] | fields host]",
    "return of raw values": '[| makeresults | eval x="| outputlookup z.csv" | return $x]',
}
# Finding 2: commands nobody vetted are refused, wherever they stand.
UNVETTED = {
    "fit into": "index=web | fit LinearRegression bytes from status into m",
    "deletemodel": "| deletemodel m",
    "outputtelemetry": "| makeresults | outputtelemetry input=x type=event component=a",
    "createrss": "index=web | createrss path=f name=x link=y descr=z count=1",
    "sendresults": "index=web | sendresults to=a@example.com",
    "curl post": '| curl method=post uri="https://example.com" data="x"',
    "in an append": "index=web | append [| makeresults | frobnicate]",
    "in a join subsearch": "index=web | join host [| makeresults | frobnicate | fields host]",
    "in a map search": '| makeresults | map maxsearches=1 search="| makeresults | frobnicate"',
}


def jobs_with(sandbox: Sandbox, marker: str) -> list[str]:
    return [job.sid for job in sandbox.state.jobs.list() if marker in job.search]


async def call(gateway: RunningGateway, tool: str, arguments: dict[str, Any]) -> Any:
    async with gateway.client() as client:
        return await client.call_tool(tool, arguments, raise_on_error=False)


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def writing_gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True) as running:
        yield running


@pytest.mark.parametrize("subsearch", DATA_TO_SPL.values(), ids=DATA_TO_SPL.keys())
async def test_spl_built_from_data_is_refused_by_every_search_tool_and_never_dispatched(
    gateway: RunningGateway, sandbox: Sandbox, subsearch: str
) -> None:
    marker = f"m{uuid.uuid4().hex[:10]}"
    query = f"index=web {marker} {subsearch}"
    verdict = (await call(gateway, "validate_spl", {"query": query})).structured_content
    assert verdict["allowed"] is False
    for tool in ("run_search", "export_search"):
        result = await call(gateway, tool, {"query": query})
        assert result.is_error
        assert result.structured_content["error"]["code"] == "policy_violation"
    assert jobs_with(sandbox, marker) == []


@pytest.mark.parametrize("subsearch", list(DATA_TO_SPL.values())[:4], ids=list(DATA_TO_SPL)[:4])
async def test_spl_built_from_data_is_never_stored_by_the_write_tools(
    writing_gateway: RunningGateway, sandbox: Sandbox, subsearch: str
) -> None:
    name = f"trust test {uuid.uuid4().hex[:8]}"
    arguments = {"name": name, "search": f"index=web {subsearch}", "earliest_time": "-1h", "latest_time": "now"}
    result = await call(writing_gateway, "create_saved_search", arguments)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert all(entry.name != name for entry in sandbox.state.saved_searches.all())


async def test_a_saved_search_that_builds_spl_from_data_is_refused_when_run(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    name = f"trust test {uuid.uuid4().hex[:8]}"
    spl = f"search index=web {DATA_TO_SPL['renamed searchX']}"
    sandbox.state.saved_searches.put(
        KnowledgeObject(name, shared_acl(), {"search": spl, "dispatch.earliest_time": "-1h"})
    )
    try:
        result = await call(gateway, "run_saved_search", {"name": name})
    finally:
        admin = sandbox.state.accounts.user("admin")
        assert admin is not None
        sandbox.state.saved_searches.delete(name, admin, Namespace("nobody", "search"))
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert jobs_with(sandbox, "searchX") == []


@pytest.mark.parametrize("query", UNVETTED.values(), ids=UNVETTED.keys())
async def test_a_command_off_the_read_only_list_is_refused_naming_it_and_the_setting(
    gateway: RunningGateway, sandbox: Sandbox, query: str
) -> None:
    before = {job.sid for job in sandbox.state.jobs.list()}
    result = await call(gateway, "run_search", {"query": query})
    assert result.is_error
    assert "MCP_SPLUNK_ALLOWED_SPL_COMMANDS" in result.structured_content["error"]["message"]
    assert {job.sid for job in sandbox.state.jobs.list()} - before == set()


# Finding 3: | rest reads what get_configuration masks.


@pytest.mark.parametrize(
    "endpoint",
    [
        "/services/configs/conf-alert_actions",
        "/servicesNS/-/-/configs/conf-authentication",
        "/servicesNS/nobody/search/storage/passwords",
        "/services/storage%2Fpasswords",
        "/services/server/info/../../configs/conf-alert_actions",
        "/services/properties/alert_actions",
    ],
)
async def test_rest_to_secret_bearing_endpoints_is_refused_even_for_the_servers_own_admin(
    gateway: RunningGateway, sandbox: Sandbox, endpoint: str
) -> None:
    # gateway.client() sends no X-Splunk-* headers: the call runs as the server's default identity, admin.
    result = await call(gateway, "run_search", {"query": f"| rest {endpoint} | table title auth_password"})
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"


async def test_an_operator_allowed_conf_endpoint_answers_without_its_secret_fields(sandbox: Sandbox) -> None:
    with running_gateway(sandbox_defaults(sandbox), allowed_rest_endpoints="configs/conf-*") as gateway:
        conf = await call(gateway, "get_configuration", {"conf_file": "alert_actions"})
        rows = (
            await call(gateway, "run_search", {"query": "| rest /services/configs/conf-alert_actions | table *"})
        ).structured_content["results"]
        renamed = (
            await call(
                gateway,
                "run_search",
                {"query": "| rest /services/configs/conf-alert_actions | eval leak=auth_password | table title leak"},
            )
        ).structured_content["results"]
    masked = {m["key"] for m in conf.structured_content["masked_keys"]}
    assert "auth_password" in masked  # the sandbox does store one: the test would see it if the drop failed
    assert rows
    assert all(not is_secret(key) for row in rows for key in row)
    assert all(not str(value).startswith("$7$") for row in rows for value in row.values())
    assert all(not row.get("leak") for row in renamed)


# Finding 4: map and every nested search stay within the time window.


@pytest.fixture
def all_time_macro(sandbox: Sandbox) -> Iterator[str]:
    name = "trust_all_time"
    sandbox.state.macros.put(KnowledgeObject(name, shared_acl(), {"definition": "earliest=0"}, time.time()))
    yield name
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    sandbox.state.macros.delete(name, admin, Namespace("nobody", "search"))


@pytest.mark.parametrize(
    "query",
    [
        '| makeresults | map maxsearches=1 search="search index=web earliest=0 | head 1"',
        '| makeresults | map maxsearches=1 search="search index=web earliest=-400d | head 1"',
        '| makeresults | map maxsearches=1 search="search index=web startdaysago=3650 | head 1"',
        "index=web [search index=main daysago=900 | fields host]",
        "index=web | append [search index=main starttime=01/01/2000:00:00:00 | head 1]",
        '| makeresults | map maxsearches=1 search="search index=web [search index=main earliest=1 | fields host]"',
        "| tstats count where index=web earliest=-5y by host",
        "| metasearch index=web EARLIEST=-3y",
        '| msearch index=metrics earliest="-2y"',
    ],
)
async def test_a_time_bound_anywhere_is_held_to_the_operators_window(
    gateway: RunningGateway, sandbox: Sandbox, query: str
) -> None:
    result = await call(gateway, "run_search", {"query": query})
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert "given inline in the SPL" in result.structured_content["error"]["message"]


async def test_a_time_bound_inside_a_macro_body_is_held_to_the_window(
    gateway: RunningGateway, all_time_macro: str
) -> None:
    result = await call(gateway, "run_search", {"query": f"index=web `{all_time_macro}` | head 1"})
    assert result.is_error
    assert "All-time searches are disabled" in result.structured_content["error"]["message"]


async def test_map_may_not_run_more_searches_than_the_operator_allows(sandbox: Sandbox) -> None:
    query = '| makeresults count=3 | map maxsearches=3 search="search index=web | head 1"'
    with running_gateway(sandbox_defaults(sandbox), max_map_searches=2) as gateway:
        result = await call(gateway, "validate_spl", {"query": query})
    assert result.structured_content["allowed"] is False
    assert "MCP_SPLUNK_MAX_MAP_SEARCHES" in result.structured_content["reason"]
