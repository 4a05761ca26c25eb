"""``list_indexes``: the indexes the caller may search, with sizes, counts and time bounds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.listing import listing, name_matches
from mcp_splunk.tools.outputs.discovery import IndexListing

_FIELDS = ("name", "totalEventCount", "currentDBSizeMB", "minTime", "maxTime", "datatype", "disabled")


class ListIndexesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: str | None = Field(
        None,
        max_length=200,
        description=(
            "Only indexes whose name matches: a substring, or a wildcard pattern such as 'web*'. Default: all."
        ),
    )
    include_internal: bool = Field(False, description="Also list internal indexes (names starting with '_').")
    offset: int = Field(0, ge=0, description="Index of the first index to return (for paging). Default 0.")
    count: int = Field(100, ge=1, le=1000, description="How many indexes to return at most. Default 100.")


class ListIndexes(BaseTool):
    name = "list_indexes"
    title = "List indexes"
    description = (
        "The indexes you may search, with event counts (totalEventCount), size on disk (currentDBSizeMB) and "
        "the time of the oldest and newest event (minTime/maxTime). Use it before searching to pick the right "
        "index=…; prefer get_index_info for one index's full settings."
    )
    annotations = read_only()
    Params = ListIndexesParams
    Result = IndexListing

    async def execute(self, params: ListIndexesParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        page = await splunk.run(ops.read_entries, "data/indexes", count=0)
        indexes: list[dict[str, Any]] = []
        for entry in page.entries:
            name = entry["name"]
            if name.startswith("_") and not params.include_internal:
                continue
            if name_matches(name, params.filter):
                content = entry["content"]
                indexes.append({"name": name, **{k: content.get(k) for k in _FIELDS[1:]}})
        indexes.sort(key=lambda i: i["name"])
        return listing(
            "indexes",
            indexes,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
        )


TOOLS: tuple[type[BaseTool], ...] = (ListIndexes,)
