"""Results of ``get_field_summary`` (one index's fields) and ``find_data_source`` (where data of a kind lives)."""

from __future__ import annotations

from typing import Literal

from mcp_splunk.tools.outputs.common import Omitted, Result


class ValueCount(Result):
    value: str
    count: int


class NumericRange(Result):
    # Over the values that are numbers (numeric_count of them); a field may mix numbers and text such as "-".
    numeric_count: int
    min: float | None
    max: float | None
    mean: float | None
    stdev: float | None


class FieldStats(Result):
    field: str
    count: int  # events of the sample that have the field
    coverage: float  # count / events_examined, 0..1
    distinct_count: int
    distinct_count_exact: bool  # False: more distinct values than max_values, and Splunk estimated the count
    top_values: list[ValueCount]
    numeric: NumericRange | Omitted = None  # only when some values are numbers


class FieldsTruncation(Result):
    reason: Literal["max_fields", "output_limit"]
    fields_returned: int
    fields_available: int
    hint: str


class FieldSummary(Result):
    index: str
    sourcetype: str | None
    earliest_time: str
    latest_time: str
    query: str  # the SPL that ran
    events_examined: int
    max_events: int
    sampled: bool  # events_examined reached max_events: the newest events only, older ones unseen
    fields_total: int
    fields: list[FieldStats]
    truncated: FieldsTruncation | Omitted = None
    note: str | Omitted = None  # with no events: why that may be


class MatchReason(Result):
    kind: Literal["index", "sourcetype", "field", "value", "requested_field"]
    term: str  # the keyword or requested field name
    matched: str  # what it matched: a name, a field name, or a value
    field: str | None  # the field a value belongs to
    points: int


class DataSourceCandidate(Result):
    index: str
    sourcetype: str
    score: int
    event_count: int  # events in the time range (tstats)
    reasons: list[MatchReason]
    fields: list[str]  # field names seen in the sample, commonest first (at most 30)
    search: str  # SPL to start from


class DataSourceSearch(Result):
    keywords: list[str]  # the terms scored, after dropping words such as "logs" or "the"
    fields: list[str]
    earliest_time: str
    latest_time: str
    pairs_found: int  # index/sourcetype pairs with events in the range that you may search
    pairs_examined: int  # of them, how many were sampled for fields and values
    sample_events: int  # newest events sampled per examined pair
    candidates: list[DataSourceCandidate]
    notes: list[str]
