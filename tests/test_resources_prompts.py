"""Resources, prompts and completions through an MCP client, for what each caller may see."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import mcp_types
import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ANALYST, RunningGateway, running_gateway, sandbox_defaults


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def searchable(sandbox: Sandbox, user: str) -> list[str]:
    account = sandbox.state.accounts.user(user)
    assert account is not None
    return sorted(sandbox.state.searchable_indexes(account))


async def test_the_static_resources_and_templates_are_listed(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        uris = {str(r.uri) for r in await client.list_resources()}
        templates = {t.uri_template for t in await client.list_resource_templates()}
    assert uris == {"splunk://server/info", "splunk://indexes", "splunk://saved-searches", "splunk://spl-reference"}
    assert templates == {
        "splunk://indexes/{name}",
        "splunk://saved-searches/{name}",
        "splunk://jobs/{sid}/results{?offset,count}",
    }


async def test_the_indexes_resource_shows_what_each_caller_may_search(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    async with gateway.client() as client:
        admin = json.loads((await client.read_resource("splunk://indexes"))[0].text)
    async with gateway.client(ANALYST) as client:
        analyst = json.loads((await client.read_resource("splunk://indexes"))[0].text)
    assert [i["name"] for i in admin["indexes"]] == [n for n in searchable(sandbox, "admin") if not n.startswith("_")]
    assert [i["name"] for i in analyst["indexes"]] == searchable(sandbox, "analyst") == ["main", "web"]


async def test_an_index_resource_reports_the_index_figures(gateway: RunningGateway, sandbox: Sandbox) -> None:
    async with gateway.client() as client:
        web = json.loads((await client.read_resource("splunk://indexes/web"))[0].text)
    assert web["name"] == "web"
    assert web["total_event_count"] == len(sandbox.events("web"))


async def test_an_index_the_caller_may_not_search_is_an_error(gateway: RunningGateway) -> None:
    async with gateway.client(ANALYST) as client:
        with pytest.raises(Exception, match="not_found"):
            await client.read_resource("splunk://indexes/security")


async def test_saved_search_resources_follow_the_sandbox(gateway: RunningGateway, sandbox: Sandbox) -> None:
    expected = {o.name for o in sandbox.state.saved_searches.all() if o.acl.sharing != "user"}
    async with gateway.client() as client:
        listed = json.loads((await client.read_resource("splunk://saved-searches"))[0].text)
        one = json.loads((await client.read_resource("splunk://saved-searches/Top URIs"))[0].text)
    assert expected <= {s["name"] for s in listed["saved_searches"]}
    assert "top limit=10 uri" in json.dumps(one)


async def test_the_spl_reference_is_served_as_markdown(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        (content,) = await client.read_resource("splunk://spl-reference")
    assert content.mime_type == "text/markdown"
    assert content.text.startswith("# SPL quick reference")


async def test_prompts_render_plans_that_use_the_tools(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        names = {p.name for p in await client.list_prompts()}
        plan = await client.get_prompt("investigate_errors", {"index": "web", "timeframe": "-4h"})
    assert names == {"investigate_errors", "triage_failed_logins", "explore_index", "write_spl"}
    text = plan.messages[0].content.text
    assert 'index="web"' in text
    assert "-4h" in text
    assert "run_search" in text


@pytest.mark.parametrize(
    ("prompt", "arguments"),
    [("explore_index", {"index": "web | delete"}), ("investigate_errors", {"index": "web", "timeframe": "lately"})],
)
async def test_prompt_arguments_are_validated(gateway: RunningGateway, prompt: str, arguments: dict[str, str]) -> None:
    async with gateway.client() as client:
        with pytest.raises(Exception, match=r"index name|time modifier"):
            await client.get_prompt(prompt, arguments)


def prompt_ref(name: str) -> mcp_types.PromptReference:
    return mcp_types.PromptReference(type="ref/prompt", name=name)


async def test_index_arguments_complete_from_what_the_caller_can_search(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    async with gateway.client() as client:
        admin = await client.complete(prompt_ref("explore_index"), {"name": "index", "value": ""})
    async with gateway.client(ANALYST) as client:
        analyst = await client.complete(prompt_ref("explore_index"), {"name": "index", "value": ""})
        narrowed = await client.complete(prompt_ref("investigate_errors"), {"name": "index", "value": "w"})
    assert admin.values == searchable(sandbox, "admin")
    assert analyst.values == ["main", "web"]
    assert narrowed.values == ["web"]


async def test_template_parameters_and_source_types_complete(gateway: RunningGateway, sandbox: Sandbox) -> None:
    template = mcp_types.ResourceTemplateReference(type="ref/resource", uri="splunk://saved-searches/{name}")
    async with gateway.client() as client:
        saved = await client.complete(template, {"name": "name", "value": "T"})
        sourcetypes = await client.complete(
            prompt_ref("investigate_errors"), {"name": "sourcetype", "value": ""}, context_arguments={"index": "web"}
        )
        timeframes = await client.complete(prompt_ref("triage_failed_logins"), {"name": "timeframe", "value": "-2"})
    assert saved.values == sorted(o.name for o in sandbox.state.saved_searches.all() if o.name.startswith("T"))
    assert sourcetypes.values == sorted({e.sourcetype for e in sandbox.events("web")})
    assert timeframes.values == ["-24h"]


def web_hosts(sandbox: Sandbox, earliest: int, latest: int) -> list[dict[str, str]]:
    """``index=web | stats count by host`` over [earliest, latest), counted in plain Python."""
    counts = Counter(e.host for e in sandbox.events("web") if earliest <= e.time < latest)
    return [{"host": host, "count": str(count)} for host, count in sorted(counts.items())]


def links(result: Any) -> list[str]:
    return [str(c.uri) for c in result.content if isinstance(c, mcp_types.ResourceLink)]


async def test_a_cut_search_links_to_its_next_page_and_the_links_lead_through_every_row(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    latest = int(max(e.time for e in sandbox.events("web"))) + 1
    expected = web_hosts(sandbox, latest - 86400, latest)
    arguments = {"query": "index=web | stats count by host", "earliest_time": str(latest - 86400)}
    async with gateway.client() as client:
        first = await client.call_tool("run_search", {**arguments, "latest_time": str(latest), "row_limit": 2})
        sid = first.structured_content["sid"]
        rows = [{"host": r["host"], "count": r["count"]} for r in first.structured_content["results"]]
        offset = first.structured_content["paging"]["next_offset"]
        while offset is not None:
            (content,) = await client.read_resource(f"splunk://jobs/{sid}/results?offset={offset}&count=2")
            page = json.loads(content.text)
            rows += [{"host": r["host"], "count": r["count"]} for r in page["results"]]
            offset = page["paging"]["next_offset"]
    assert len(expected) > 2
    assert links(first) == [f"splunk://jobs/{sid}/results?offset=2&count=2"]
    assert rows == expected


async def test_only_the_jobs_owner_reads_its_results_resource(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        result = await client.call_tool("run_search", {"query": "index=web | head 5", "row_limit": 1})
        (uri,) = links(result)
        (own,) = await client.read_resource(uri)
    async with gateway.client(ANALYST) as other:
        with pytest.raises(Exception, match="not_found"):
            await other.read_resource(uri)
    assert len(json.loads(own.text)["results"]) == 1


async def test_a_bad_job_results_argument_is_an_error_naming_it(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        sid = (await client.call_tool("run_search", {"query": "index=web | head 1"})).structured_content["sid"]
        with pytest.raises(Exception, match="offset") as raised:
            await client.read_resource(f"splunk://jobs/{sid}/results?offset=-1")
    assert "-1" not in str(raised.value)
