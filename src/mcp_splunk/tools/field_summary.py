"""``get_field_summary``: the fields of an index (and sourcetype) with coverage, distinct values, top values and
numeric range, from Splunk's own ``fieldsummary`` over the newest events of a time range.

The search runs under the caller's Splunk identity, through the same SPL guard and time window as ``run_search``;
``| head`` bounds what it reads, and the result says when that bound was reached. ``find_data_source`` reuses
``summarise`` for its samples.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import InvalidArgument
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.guard import SplGuard
from mcp_splunk.tools.limits import fit_rows
from mcp_splunk.tools.listing import integer
from mcp_splunk.tools.outputs.data_sources import FieldSummary
from mcp_splunk.tools.spl_args import FieldValue, IndexName, term
from mcp_splunk.tools.splunk_client import SplunkClient

# A field-name pattern: matched here, never placed in SPL.
FieldPattern = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]{1,200}$")]


_NO_EVENTS = (
    "No events: the index has none in this time range (for this sourcetype), does not exist, or is not one you may "
    "search. list_indexes and list_sourcetypes show what you may search."
)


@dataclass(frozen=True, slots=True)
class Summary:
    query: str  # as dispatched
    events: int  # events the summary covers
    fields: list[dict[str, Any]]  # FieldStats-shaped, commonest first


def summary_query(index: str, sourcetype: str | None, max_events: int, max_values: int) -> str:
    where = [term("index", index)] + ([term("sourcetype", sourcetype)] if sourcetype else [])
    return f"search {' '.join(where)} | head {max_events} | fieldsummary maxvals={max_values}"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _top_values(text: Any) -> list[dict[str, Any]]:
    """fieldsummary's ``values`` column: a JSON list of {value, count}; anything else reads as none."""
    try:
        items = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [
        {"value": str(item.get("value")), "count": integer(item.get("count")) or 0}
        for item in items
        if isinstance(item, dict)
    ]


def _field_stats(row: dict[str, Any], events: int) -> dict[str, Any]:
    count = integer(row.get("count")) or 0
    stats: dict[str, Any] = {
        "field": str(row.get("field")),
        "count": count,
        "coverage": round(min(1.0, count / events), 4) if events else 0.0,
        "distinct_count": integer(row.get("distinct_count")) or 0,
        "distinct_count_exact": str(row.get("is_exact")) == "1",
        "top_values": _top_values(row.get("values")),
    }
    if numeric_count := integer(row.get("numeric_count")):
        stats["numeric"] = {
            "numeric_count": numeric_count,
            **{key: _number(row.get(key)) for key in ("min", "max", "mean", "stdev")},
        }
    return stats


async def summarise(
    splunk: SplunkClient,
    guard: SplGuard,
    query: str,
    *,
    earliest: str,
    latest: str,
) -> Summary:
    """Run a ``… | fieldsummary`` query (policy and time window first) and read its rows."""
    dispatched = await guard.require(splunk, query, earliest, latest)
    # Verbose: in fast or smart mode Splunk may skip discovering the fields the SPL does not name.
    page = await splunk.run(
        ops.oneshot, dispatched, earliest_time=earliest, latest_time=latest, count=0, adhoc_search_level="verbose"
    )
    # Every event has an index, so the index field's count is the number of events summarised.
    events = next((integer(r.get("count")) or 0 for r in page.rows if r.get("field") == "index"), 0)
    fields = [_field_stats(row, events) for row in page.rows if row.get("field")]
    fields.sort(key=lambda f: (-f["count"], f["field"]))
    return Summary(dispatched, events, fields)


class GetFieldSummaryParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: IndexName = Field(description="The index to summarise, e.g. 'web' (one exact name, no wildcards).")
    sourcetype: FieldValue | None = Field(
        None, description="Only events of this sourcetype, e.g. 'access_combined'. Default: every sourcetype."
    )
    earliest_time: str | None = Field(
        None,
        max_length=100,
        description=(
            "Start of the time range: a relative modifier such as -24h or -7d@d, or an epoch or ISO time. Default: "
            "the operator's default window (usually -24h). Ranges wider than the operator's limit are refused."
        ),
    )
    latest_time: str = Field("now", max_length=100, description="End of the time range. Default now.")
    fields: list[FieldPattern] | None = Field(
        None,
        max_length=50,
        description="Only these fields: names or wildcard patterns such as 'uri*' (case-sensitive). Default: all.",
    )
    max_values: int = Field(5, ge=1, le=100, description="Top values to return per field (1-100). Default 5.")
    max_events: int = Field(
        10_000,
        ge=1,
        le=100_000,
        description=(
            "Summarise at most this many events, the newest in the range (bounds the search's cost). Default 10000."
        ),
    )
    max_fields: int = Field(100, ge=1, le=500, description="Return at most this many fields. Default 100.")


class GetFieldSummary(BaseTool):
    name = "get_field_summary"
    title = "Summarise the fields of an index"
    description = (
        "The fields of an index (optionally one sourcetype) in a time range, as Splunk's fieldsummary sees them: "
        "for each field its coverage (share of events that have it), distinct count, most common values with counts, "
        "and min/max/mean/stdev when its values are numbers. Commonest fields first. Read it before writing SPL to "
        "learn the real field names and values. Covers the newest max_events events of the range (sampled says when "
        "older ones were left out); runs under your Splunk identity, so indexes you may not search show no events."
    )
    annotations = read_only()
    Params = GetFieldSummaryParams
    Result = FieldSummary

    async def execute(self, params: GetFieldSummaryParams) -> ToolOutput:
        if "*" in params.index:
            raise InvalidArgument(
                "get_field_summary needs one exact index name in 'index', not a pattern; use list_indexes or "
                "find_data_source to choose one."
            )
        settings = self.deps.settings.gateway
        earliest = params.earliest_time or settings.default_earliest
        query = summary_query(params.index, params.sourcetype, params.max_events, params.max_values)
        splunk = await self.get_splunk_service()
        summary = await summarise(splunk, self.deps.guard, query, earliest=earliest, latest=params.latest_time)
        fields = summary.fields
        if params.fields:
            fields = [f for f in fields if any(fnmatch.fnmatchcase(f["field"], p) for p in params.fields)]
        data: dict[str, Any] = {
            "index": params.index,
            "sourcetype": params.sourcetype,
            "earliest_time": earliest,
            "latest_time": params.latest_time,
            "query": summary.query,
            "events_examined": summary.events,
            "max_events": params.max_events,
            "sampled": summary.events >= params.max_events,
            "fields_total": len(fields),
            "fields": [],
        }
        if not summary.events:
            data["note"] = _NO_EVENTS
        wanted = fields[: params.max_fields]
        shown = wanted[: fit_rows(wanted, settings.max_output_chars, around=data)]
        data["fields"] = shown
        if len(shown) < len(fields):
            cut_by = "output_limit" if len(shown) < len(wanted) else "max_fields"
            data["truncated"] = {
                "reason": cut_by,
                "fields_returned": len(shown),
                "fields_available": len(fields),
                "hint": "Name the fields you need in 'fields' (wildcards allowed), or lower max_values.",
            }
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (GetFieldSummary,)
