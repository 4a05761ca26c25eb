"""``BaseTool``: the shape of every capability, and its adapter to FastMCP.

A tool is a class with a name, a description written for an agent, truthful MCP annotations, a pydantic
``Params`` model, a ``Result`` model (its ``outputSchema``) and one ``execute`` method. The adapter validates
arguments, runs ``execute`` and turns the gateway's errors into MCP tool errors (``isError: true``) in exactly one
place. Every result carries its data twice, for clients that only read one of them: in ``structuredContent`` and,
as the MCP spec recommends, as the same JSON (compact) in its text; large results add ``resource_link``s to
fetch more.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from fastmcp.tools import Tool
from fastmcp.tools.base import InputRequiredToolResult, ToolResult
from fastmcp.utilities.json_schema import compress_schema
from fastmcp.utilities.tasks import TaskConfig
from mcp.types import ContentBlock, ResourceLink, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from mcp_splunk.errors import GatewayError, InvalidArgument
from mcp_splunk.middleware.client_config import RequestConfig
from mcp_splunk.results import error_result
from mcp_splunk.settings import Settings
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.tasks import task_request
from mcp_splunk.tools.confirmation import AskUser
from mcp_splunk.tools.guard import SplGuard
from mcp_splunk.tools.limits import cap_text, compact_json
from mcp_splunk.tools.outputs.common import Result as ResultModel
from mcp_splunk.tools.outputs.common import output_schema
from mcp_splunk.tools.splunk_client import SplunkClient, current_splunk, request_config


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class ToolOutput:
    data: dict[str, Any]  # the structuredContent, shaped as the tool's Result model
    links: tuple[ResourceLink, ...] = ()  # where a client can read more of it


@dataclass(frozen=True, slots=True)
class ToolDeps:
    settings: Settings
    pool: ConnectionPool
    guard: SplGuard


def read_only(*, open_world: bool = True) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=open_world
    )


def mutating(*, destructive: bool, idempotent: bool) -> ToolAnnotations:
    """Annotations of a tool that changes Splunk (registered only when the operator enables writes)."""
    return ToolAnnotations(
        read_only_hint=False, destructive_hint=destructive, idempotent_hint=idempotent, open_world_hint=True
    )


class BaseTool(ABC):
    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    annotations: ClassVar[ToolAnnotations]
    Params: ClassVar[type[BaseModel]] = NoParams
    Result: ClassVar[type[ResultModel]]  # the shape of ``ToolOutput.data``, published as the outputSchema
    writes: ClassVar[bool] = False  # write tools exist only when the operator enables writes
    # The README's Kind, for a tool whose gate is finer than "read-only" or "write (only with writes on)".
    kind: ClassVar[str | None] = None
    # May run as an MCP task for a client that asks (with MCP_SPLUNK_TASKS on): long work that should not hold a call.
    task: ClassVar[bool] = False

    def __init__(self, deps: ToolDeps) -> None:
        self.deps = deps

    @abstractmethod
    async def execute(self, params: Any) -> ToolOutput:
        """Do the work; raise ``GatewayError`` subclasses for anything the caller should see as an error."""

    async def request_config(self) -> RequestConfig:
        return await request_config()

    async def get_splunk_service(self) -> SplunkClient:
        """The pooled Splunk connection for this request's config (logged in once per identity)."""
        return await current_splunk(self.deps.pool)


_MAX_PROBLEMS = 10
# How often a task's client should poll it (tasks/get): a search's progress moves in seconds, not minutes.
_TASK_POLL = timedelta(seconds=1)


def _shown(part: str | int) -> str:
    """A location part of a validation error: argument names come from the client, so keep them short and plain."""
    text = "".join(c if c.isprintable() else "?" for c in str(part)[:48])
    return text + "..." if len(str(part)) > 48 else text


def describe_validation(exc: ValidationError, params: type[BaseModel]) -> str:
    """What is wrong with the arguments, without echoing their values (include_input=False)."""
    problems: list[str] = []
    unknown: list[str] = []
    for item in exc.errors(include_url=False, include_input=False):
        where = ".".join(_shown(p) for p in item["loc"]) or "arguments"
        if item["type"] == "extra_forbidden" and len(item["loc"]) == 1:
            unknown.append(f"'{where}'")
        else:
            problems.append(f"{where}: {item['msg']}")
    if unknown:
        takes = ", ".join(params.model_fields) or "no arguments"
        names = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        problems.append(f"unknown argument{'s' if len(unknown) > 1 else ''} {names} (this tool takes: {takes})")
    shown = problems[:_MAX_PROBLEMS]
    more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
    return "Invalid arguments: " + "; ".join(shown) + more + "."


class _FastMCPTool(Tool):
    """The FastMCP face of a ``BaseTool`` instance."""

    _impl: BaseTool = PrivateAttr()

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        impl = self._impl
        try:
            params = impl.Params.model_validate(arguments or {})
        except ValidationError as exc:
            return error_result(InvalidArgument(describe_validation(exc, impl.Params)))
        try:
            async with task_request(impl.deps.settings):
                output = await impl.execute(params)
        except GatewayError as exc:
            return error_result(exc)
        except AskUser as ask:  # a destructive write waits for the user's answer (2026-07-28 elicitation)
            return InputRequiredToolResult(ask.ask)
        text = cap_text(compact_json(output.data), impl.deps.settings.gateway.max_output_chars)
        content: list[ContentBlock] = [TextContent(type="text", text=text), *output.links]
        return ToolResult(content=content, structured_content=output.data)


def to_fastmcp(tool: BaseTool) -> Tool:
    # Without titles: they repeat each argument's name and only add tokens to every tools/list.
    schema = compress_schema(tool.Params.model_json_schema(), prune_titles=True)
    adapted = _FastMCPTool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        parameters=schema,
        output_schema=output_schema(tool.Result),
        annotations=tool.annotations.model_copy(update={"title": tool.title}),
        task_config=TaskConfig(
            "optional" if tool.task and tool.deps.settings.gateway.tasks else "forbidden", _TASK_POLL
        ),
    )
    adapted._impl = tool
    return adapted
