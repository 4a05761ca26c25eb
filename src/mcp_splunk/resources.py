"""Resources: read-only views of Splunk for clients that browse rather than call tools.

Each Splunk resource is its tool, run for the request's identity, rendered as JSON; there is no second code
path to drift from the tool. ``splunk://jobs/{sid}/results{?offset,count}`` pages through a search job's results
(the ``resource_link`` of a cut ``run_search`` points there); Splunk lets only the job's owner read it.
``splunk://spl-reference`` is a static SPL guide shipped in the package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastmcp import FastMCP
from fastmcp.exceptions import ResourceError
from pydantic import ValidationError

from mcp_splunk.errors import GatewayError
from mcp_splunk.tools.base import BaseTool, ToolDeps, describe_validation
from mcp_splunk.tools.discovery import GetIndexInfo
from mcp_splunk.tools.identity import GetServerInfo
from mcp_splunk.tools.indexes import ListIndexes
from mcp_splunk.tools.job_results import JOB_RESULTS
from mcp_splunk.tools.limits import compact_json
from mcp_splunk.tools.saved_searches import GetSavedSearch, ListSavedSearches
from mcp_splunk.tools.search_jobs import GetSearchResults

SPL_REFERENCE = "splunk://spl-reference"


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    uri: str  # may hold {name} or {sid}: then it is a resource template
    name: str
    description: str
    tool: type[BaseTool]
    arguments: Callable[..., dict[str, Any]]


RESOURCES: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        "splunk://server/info",
        "server_info",
        "The Splunk server's name, version, OS and licence state.",
        GetServerInfo,
        lambda: {},
    ),
    ResourceSpec(
        "splunk://indexes",
        "indexes",
        "The indexes you may search, with counts, sizes and time bounds.",
        ListIndexes,
        lambda: {"count": 1000},
    ),
    ResourceSpec(
        "splunk://indexes/{name}",
        "index",
        "One index's settings and figures.",
        GetIndexInfo,
        lambda name: {"name": name},
    ),
    ResourceSpec(
        "splunk://saved-searches",
        "saved_searches",
        "The saved searches and alerts you can see.",
        ListSavedSearches,
        lambda: {"count": 1000},
    ),
    ResourceSpec(
        "splunk://saved-searches/{name}",
        "saved_search",
        "One saved search's definition.",
        GetSavedSearch,
        lambda name: {"name": name},
    ),
    ResourceSpec(
        JOB_RESULTS,
        "job_results",
        "A page of a search job's results (offset, count: default 0 and 100), without running the search again.",
        GetSearchResults,
        lambda sid, offset, count: {"sid": sid, "offset": offset, "count": count},
    ),
)


def spl_reference() -> str:
    return resources.files("mcp_splunk").joinpath("reference/spl.md").read_text(encoding="utf-8")


def _reader(spec: ResourceSpec, deps: ToolDeps) -> Callable[..., Any]:
    tool = spec.tool(deps)

    async def read(values: dict[str, Any]) -> str:
        try:
            params = tool.Params.model_validate(spec.arguments(**values))
            output = await tool.execute(params)
        except ValidationError as exc:
            raise ResourceError(f"{spec.uri}: {describe_validation(exc, tool.Params)}") from None
        except GatewayError as exc:
            raise ResourceError(f"{exc.code}: {exc.message}") from None
        return compact_json(output.data)

    # FastMCP makes a template of any reader with parameters, a static resource of one without.
    if "{name}" in spec.uri:

        async def read_named(name: str) -> str:
            return await read({"name": name})

        return read_named
    if "{sid}" in spec.uri:

        async def read_job(sid: str, offset: int = 0, count: int = 100) -> str:
            return await read({"sid": sid, "offset": offset, "count": count})

        return read_job

    async def read_static() -> str:
        return await read({})

    return read_static


def register_resources(mcp: FastMCP, deps: ToolDeps) -> None:
    for spec in RESOURCES:
        mcp.resource(spec.uri, name=spec.name, description=spec.description, mime_type="application/json")(
            _reader(spec, deps)
        )
    mcp.resource(
        SPL_REFERENCE,
        name="spl_reference",
        mime_type="text/markdown",
        description="A concise SPL reference for agents: searching, shaping, aggregating, enriching, metadata.",
    )(spl_reference)
