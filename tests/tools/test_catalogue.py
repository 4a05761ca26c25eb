"""Properties every tool shares: truthful annotations, descriptions for agents, data in both result halves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

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


class MethodSpy(Middleware):
    def __init__(self) -> None:
        self.methods: list[str | None] = []

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        self.methods.append(context.method)
        return await call_next(context)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_tool_call_runs_only_the_call_through_the_middleware(sandbox: Sandbox, mode: str) -> None:
    # The SDK would otherwise run a whole tools/list (config, audit, every middleware) to find the called tool's schema.
    with running_gateway(sandbox_defaults(sandbox)) as running:
        spy = MethodSpy()
        running.gateway.mcp.add_middleware(spy)
        async with running.client(mode=mode) as client:
            await client.list_tools()
            spy.methods.clear()
            result = await client.call_tool("get_index_info", {"name": "main"})
        assert result.structured_content
        assert spy.methods == ["tools/call"]
