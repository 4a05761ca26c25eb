"""The SPL guard through MCP: validate_spl verdicts, and risky SPL refused by run_search before any job exists."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, shared_acl
from tests.support import RunningGateway, running_gateway, sandbox_defaults


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    # A macro whose expansion writes: only the target's parser can reveal it.
    sandbox.state.macros.put(
        KnowledgeObject("guard_test_cleanup", shared_acl(), {"definition": "collect index=summary"}, time.time())
    )
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def jobs_with(sandbox: Sandbox, marker: str) -> list[str]:
    return [job.sid for job in sandbox.state.jobs.list() if marker in job.search]


async def test_a_benign_query_is_valid_and_allowed_with_its_commands(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        data = (
            await client.call_tool(
                "validate_spl", {"query": "index=web status>=500 | stats count by host | sort - count"}
            )
        ).structured_content
    assert (data["valid"], data["allowed"]) == (True, True)
    assert data["commands"] == ["search", "stats", "sort"]
    assert data["splunk_commands"] == ["search", "stats", "sort"]
    assert data["query"].startswith("search index=web")


async def test_a_risky_command_in_a_nested_subsearch_is_refused_with_its_location(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        data = (
            await client.call_tool(
                "validate_spl",
                {
                    "query": "index=web [search index=main | append [| makeresults | outputlookup stolen.csv] "
                    "| fields host]"
                },
            )
        ).structured_content
    assert data["allowed"] is False
    (finding,) = data["findings"]
    assert finding["command"] == "outputlookup"
    assert "subsearch in 'append'" in finding["location"]
    assert "outputlookup" in data["reason"]


async def test_a_macro_is_judged_on_the_targets_expansion(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        safe = (
            await client.call_tool("validate_spl", {"query": "`web_errors` | stats count by host"})
        ).structured_content
        risky = (
            await client.call_tool("validate_spl", {"query": "index=web | `guard_test_cleanup`"})
        ).structured_content
    assert safe["allowed"] is True
    assert risky["allowed"] is False
    assert risky["findings"][0]["canonical"] == "collect"
    assert "macro expansion" in risky["findings"][0]["location"]


async def test_spl_that_splunk_cannot_parse_is_reported_as_invalid(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        data = (await client.call_tool("validate_spl", {"query": "index=web | frobnicate"})).structured_content
    assert (data["valid"], data["allowed"]) == (False, False)
    assert "Unknown search command 'frobnicate'" in data["reason"]


@pytest.mark.parametrize(
    "query",
    [
        "index=web marker_del_1 | delete",
        "index=web marker_del_2 | append [| makeresults | sendemail to=x@example.com]",
        '| makeresults | eval q="marker_del_3" | map search="search index=web | collect index=summary"',
        "index=web marker_del_4 | `guard_test_cleanup`",
    ],
)
async def test_run_search_refuses_risky_spl_before_any_job_is_created(
    gateway: RunningGateway, sandbox: Sandbox, query: str
) -> None:
    marker = next(word for word in query.replace('"', " ").split() if "marker_del" in word)
    async with gateway.client() as client:
        result = await client.call_tool("run_search", {"query": query}, raise_on_error=False)
    assert result.is_error
    assert result.structured_content["error"]["code"] == "policy_violation"
    assert jobs_with(sandbox, marker) == []


async def test_risky_words_inside_text_are_never_blocked(gateway: RunningGateway, sandbox: Sandbox) -> None:
    async with gateway.client() as client:
        result = await client.call_tool(
            "run_search", {"query": 'index=main "failed to delete file" OR sendemail | stats count'}
        )
    assert result.structured_content["done"] is True


async def test_an_operator_listed_writer_runs_only_with_writes_on_and_permits_exactly_that_command(
    sandbox: Sandbox,
) -> None:
    verdicts = {}
    for writes in (False, True):
        with running_gateway(
            sandbox_defaults(sandbox), allowed_spl_commands="outputlookup", allow_writes=writes
        ) as gateway:
            async with gateway.client() as client:
                for query in ("| makeresults | outputlookup x.csv", "| makeresults | collect index=summary"):
                    result = await client.call_tool("validate_spl", {"query": query})
                    verdicts[writes, query.split()[-2]] = result.structured_content
    assert verdicts[False, "outputlookup"]["allowed"] is False
    assert "MCP_SPLUNK_ALLOW_WRITES=true" in verdicts[False, "outputlookup"]["reason"]
    assert verdicts[True, "outputlookup"]["allowed"] is True
    assert verdicts[False, "collect"]["allowed"] is False
    assert verdicts[True, "collect"]["allowed"] is False
    assert "MCP_SPLUNK_ALLOWED_SPL_COMMANDS" in verdicts[True, "collect"]["reason"]
