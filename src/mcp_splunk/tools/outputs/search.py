"""Results of the search tools: job status, result pages, exports, cancels and SPL checks."""

from __future__ import annotations

from typing import Literal

from mcp_splunk.tools.outputs.common import Listing, Omitted, Paging, Result, Row, SplunkValue, Truncation


class JobMessage(Result):
    type: str
    text: str


class JobStatusResult(Result):
    # ``get_search_job``, and the ``status`` of every result page.

    sid: str
    dispatch_state: str
    is_done: bool
    is_failed: bool
    is_finalized: bool
    done_progress: float
    event_count: int
    result_count: int
    scan_count: int
    run_duration_seconds: float
    messages: list[JobMessage]


# Why a result holds less than the whole search: the wait ran out ("time_limit"), Splunk stopped the job early
# ("finalized"), the row cap (the caller's or the operator's) or the output size limit.
CutBy = Literal["time_limit", "finalized", "row_limit", "output_limit"]


class SearchMetrics(Result):
    # How the search ran, in every search result. An export has no job, so Splunk reports no scan counts for it.

    run_duration_seconds: float
    events_scanned: int | None
    events_matched: int | None
    result_count: int
    rows_returned: int
    finished: bool
    cut_by: list[CutBy]
    search_level: Literal["fast", "smart", "verbose"] | None
    sample_ratio: int
    messages: list[JobMessage]


class SearchRun(Result):
    # A dispatched job's first page (``run_search``); while the job still runs, only sid, done, status and
    # message.

    sid: str
    done: bool
    status: JobStatusResult
    metrics: SearchMetrics
    message: str | Omitted = None
    fields: list[str] | Omitted = None
    results: list[Row] | Omitted = None
    total: int | Omitted = None
    paging: Paging | Omitted = None
    truncated: Truncation | Omitted = None


class SavedSearchRun(SearchRun):
    saved_search: str
    earliest_time: str
    latest_time: str
    actions_triggered: bool


class SearchResultsPage(Result):
    sid: str
    kind: Literal["results", "events"]
    fields: list[str]
    results: list[Row]
    total: int
    paging: Paging
    truncated: Truncation | Omitted = None


class ExportResult(Result):
    fields: list[str]
    results: list[Row]
    rows_returned: int
    rows_seen: int
    complete: bool
    stopped: str | None
    truncated: bool
    hint: str | Omitted = None  # with truncated: how to get every row
    preview_rows_skipped: int
    messages: list[dict[str, SplunkValue]]
    metrics: SearchMetrics


class CancelResult(Result):
    sid: str
    cancelled: bool


class Finding(Result):
    command: str
    canonical: str
    location: str
    offset: int | None
    reason: str


class SplCheck(Result):
    valid: bool
    allowed: bool
    reason: str
    query: str
    dispatched_query: str | None
    commands: list[str]
    findings: list[Finding]
    splunk_commands: list[SplunkValue]


class JobSummary(Result):
    sid: str
    search: str
    label: str | None
    owner: str | None
    app: str | None
    dispatch_state: str
    done_progress: float
    is_done: bool
    event_count: int
    result_count: int
    scan_count: int
    run_duration_seconds: float
    created: str | None
    age_seconds: int | None
    ttl_seconds: int | None  # until Splunk deletes the job and its results
    started_by_gateway: bool


class JobListing(Listing):
    jobs: list[JobSummary]
    include_other_users: bool


class TouchResult(Result):
    sid: str
    ttl_seconds: int | None
    touched: bool
