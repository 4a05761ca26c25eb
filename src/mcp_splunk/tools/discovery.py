"""Discovering what data exists: one index's settings, and the sourcetypes, sources and hosts in a time range.

The value listings run ``| tstats count min(_time) max(_time) … by <field>``: indexed fields only, so they are
fast, and Splunk applies the caller's role, so nobody learns of data in an index they may not search.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import InvalidArgument, SplunkNotFound
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.listing import count_field, integer, iso_utc, listing, offset_field
from mcp_splunk.tools.outputs.discovery import HostListing, IndexInfo, SourceListing, SourcetypeListing
from mcp_splunk.tools.spl_args import FieldValue, IndexName, SourceValue, term
from mcp_splunk.tools.time_window import check_time_window


class GetIndexInfoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: IndexName = Field(description="The exact index name, e.g. 'web' (case-sensitive; no wildcards).")


def _index_time(value: Any) -> str | None:
    """splunkd's minTime/maxTime (2024-05-01T12:00:00+0000, or an epoch) as ISO 8601 UTC."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        return iso_utc(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except ValueError:
        return iso_utc(text)


class GetIndexInfo(BaseTool):
    name = "get_index_info"
    title = "Index details"
    description = (
        "One index's full configuration and figures: event count, size and size limit, the times of its oldest "
        "and newest events, retention (frozenTimePeriodInSecs), data type, paths and every other setting Splunk "
        "reports. Use list_indexes to find index names; use this when you need one index's details."
    )
    annotations = read_only()
    Params = GetIndexInfoParams
    Result = IndexInfo

    async def execute(self, params: GetIndexInfoParams) -> ToolOutput:
        if "*" in params.name:
            raise InvalidArgument("get_index_info needs one exact index name, not a pattern; use list_indexes.")
        splunk = await self.get_splunk_service()
        try:
            entry = await splunk.run(kops.read_entity, "data/indexes", params.name, owner=None, app=None)
        except SplunkNotFound:
            raise SplunkNotFound(
                f"No index named '{params.name}' that you may see (names are case-sensitive, and indexes your role "
                "may not search are hidden). Use list_indexes for the indexes you can search.",
                404,
            ) from None
        content = {k: v for k, v in entry["content"].items() if k != "eai:acl"}
        frozen = integer(content.get("frozenTimePeriodInSecs"))
        figures = {
            "total_event_count": integer(content.get("totalEventCount")),
            "current_size_mb": content.get("currentDBSizeMB"),
            "max_size_mb": content.get("maxTotalDataSizeMB"),
            "earliest_event": _index_time(content.get("minTime")),
            "latest_event": _index_time(content.get("maxTime")),
            "retention_days": round(frozen / 86400, 2) if frozen is not None else None,
            "datatype": content.get("datatype"),
            "disabled": content.get("disabled"),
            "internal": content.get("isInternal"),
        }
        settings = dict(sorted(content.items()))
        acl = entry.get("acl") or {}
        return ToolOutput({"name": entry["name"], "app": acl.get("app"), **figures, "settings": settings})


class _ValueParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: IndexName | None = Field(
        None,
        description=(
            "Only this index: a name such as 'web' or a wildcard pattern such as 'web*'. Default: every "
            "non-internal index you may search."
        ),
    )
    earliest_time: str | None = Field(
        None,
        max_length=100,
        description=(
            "Start of the time range: a relative modifier such as -24h or -7d@d, or an epoch or ISO time. Default: "
            "the operator's default window (usually -24h). Ranges wider than the operator's limit are refused."
        ),
    )
    latest_time: str = Field("now", max_length=100, description="End of the time range (exclusive). Default now.")
    offset: int = offset_field("value")
    count: int = count_field("values")


def _value_filter(noun: str, example: str) -> Any:
    return Field(
        None,
        description=(
            f"Only {noun} containing this text, or matching it as a wildcard pattern when it holds *, e.g. "
            f"'{example}' (case-insensitive, as Splunk matches). Default: all."
        ),
    )


class SourcetypeParams(_ValueParams):
    filter: FieldValue | None = _value_filter("sourcetypes", "access_*")


class SourceParams(_ValueParams):
    filter: SourceValue | None = _value_filter("sources", "*/nginx/*")


class HostParams(_ValueParams):
    filter: FieldValue | None = _value_filter("hosts", "web-*")


class _ValuesTool(BaseTool):
    """``list_<field>s``: one row per value of an indexed field, busiest first."""

    field: ClassVar[str]
    plural: ClassVar[str]

    async def execute(self, params: Any) -> ToolOutput:
        assert isinstance(params, _ValueParams)
        settings = self.deps.settings.gateway
        earliest = params.earliest_time or settings.default_earliest
        wanted: str | None = getattr(params, "filter", None)
        where = [term("index", params.index) if params.index else "index=*"]
        if wanted:
            where.append(term(self.field, wanted if "*" in wanted else f"*{wanted}*"))
        query = (
            f"| tstats count min(_time) as first_seen max(_time) as last_seen where {' '.join(where)} by {self.field}"
        )
        check_time_window(settings, earliest, params.latest_time)  # the query's own text has no time bound
        splunk = await self.get_splunk_service()
        result = await splunk.run(ops.oneshot, query, earliest_time=earliest, latest_time=params.latest_time, count=0)
        rows: list[dict[str, Any]] = [
            {
                self.field: row.get(self.field),
                "count": integer(row.get("count")) or 0,
                "first_seen": iso_utc(row.get("first_seen")),
                "last_seen": iso_utc(row.get("last_seen")),
            }
            for row in result.rows
            if row.get(self.field) is not None
        ]
        rows.sort(key=lambda r: (-r["count"], str(r[self.field])))
        scope = {"index": params.index or "*", "earliest_time": earliest, "latest_time": params.latest_time}
        return listing(
            self.plural,
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=settings.max_output_chars,
            extra=scope,
        )


_WHEN = (
    "each with its event count and the first and last time it was seen (ISO 8601 UTC) in the time range, "
    "busiest first. Covers only the indexes you may search. "
)


class ListSourcetypes(_ValuesTool):
    name = "list_sourcetypes"
    title = "List sourcetypes"
    description = (
        "The sourcetypes (kinds of data) in an index or in every index you may search, "
        + _WHEN
        + "Use it to learn what data exists before writing sourcetype=… into a search."
    )
    annotations = read_only()
    Params = SourcetypeParams
    Result = SourcetypeListing
    field = "sourcetype"
    plural = "sourcetypes"


class ListSources(_ValuesTool):
    name = "list_sources"
    title = "List sources"
    description = (
        "The sources (files, streams, inputs the events came from) in an index or in every index you may search, "
        + _WHEN
        + "Prefer list_sourcetypes for the kinds of data; use this to find a particular log file or input."
    )
    annotations = read_only()
    Params = SourceParams
    Result = SourceListing
    field = "source"
    plural = "sources"


class ListHosts(_ValuesTool):
    name = "list_hosts"
    title = "List hosts"
    description = (
        "The hosts (machines or devices that sent events) in an index or in every index you may search, "
        + _WHEN
        + "Use it to find which hosts report data, or which have gone quiet (an old last_seen)."
    )
    annotations = read_only()
    Params = HostParams
    Result = HostListing
    field = "host"
    plural = "hosts"


TOOLS: tuple[type[BaseTool], ...] = (GetIndexInfo, ListSourcetypes, ListSources, ListHosts)
