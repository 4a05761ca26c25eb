"""Properties every tool shares: truthful annotations, descriptions for agents, data in both result halves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.tools.base import BaseTool
from mcp_splunk.tools.registry import TOOLS
from tests.support import SAMPLE_CALLS, RunningGateway, running_gateway, sandbox_defaults


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_every_tool_sets_all_four_hints_truthfully(tool: type[BaseTool]) -> None:
    hints = tool.annotations
    assert None not in (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint)
    if tool.writes:
        assert hints.read_only_hint is False
    if hints.read_only_hint:
        assert (hints.destructive_hint, hints.idempotent_hint) == (False, True)


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_every_tool_and_parameter_is_described_for_an_agent(tool: type[BaseTool]) -> None:
    assert tool.title
    assert len(tool.description) >= 80, "say what it is for and when to prefer it"
    for name, schema in tool.Params.model_json_schema().get("properties", {}).items():
        assert len(schema.get("description", "")) >= 15, f"{tool.name}.{name} needs a description"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True) as running:
        yield running


async def test_every_tool_answers_in_both_structured_content_and_text(gateway: RunningGateway) -> None:
    async with gateway.client() as client:
        listed = {t.name: t for t in await client.list_tools()}
        sid = (await client.call_tool("run_search", SAMPLE_CALLS["run_search"])).structured_content["sid"]
        for name, arguments in SAMPLE_CALLS.items():
            filled = {k: (sid if v == "SID" else v) for k, v in arguments.items()}
            result = await client.call_tool(name, filled)
            assert result.structured_content, name
            assert result.content[0].text.strip(), name
            assert listed[name].annotations is not None, name
    assert set(listed) == {tool.name for tool in TOOLS}
