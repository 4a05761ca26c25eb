"""A dispatched job's first page: wait with progress, cancel if the caller gives up, then the fitted rows.

Shared by the tools that start a job and answer with its results (``run_search``, ``run_saved_search``). The result
has the same shape whichever tool started the job: sid, done, fields, results, total, paging, status and, when rows
were cut, truncated; or, for a job still running, sid, done=false and status. A page with more rows after it links
to the job-results resource (``splunk://jobs/{sid}/results``), so a client can read on without re-running the search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastmcp.resources.template import expand_uri_template
from fastmcp.server.dependencies import get_context
from mcp.types import ResourceLink
from pydantic import Field

from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import ToolOutput
from mcp_splunk.tools.jobs import JobStatus, cancel_quietly, wait_for_job
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.paging import Page, paginate
from mcp_splunk.tools.splunk_client import SplunkClient

# The resource template a job's further rows are read from (registered in mcp_splunk.resources).
JOB_RESULTS = "splunk://jobs/{sid}/results{?offset,count}"


def row_limit_field() -> Any:
    return Field(
        None,
        ge=1,
        description=(
            "How many result rows to return in this call (the first page); more with get_search_results and the sid. "
            "Default 100; the operator's maximum applies."
        ),
    )


def wait_seconds_field() -> Any:
    return Field(
        None,
        gt=0,
        description=(
            "How long to wait for the search to finish, in seconds. If it takes longer the call returns the sid and "
            "status instead of blocking; poll get_search_job. Default 30; the operator's maximum applies."
        ),
    )


SearchLevel = Literal["fast", "smart", "verbose"]
# How a job started by the gateway says so in splunkd's job list (``list_search_jobs`` reads it back).
PROVENANCE = "mcp-splunk"


def search_level_field() -> Any:
    return Field(
        None,
        description=(
            "Splunk's search mode (adhoc_search_level): 'fast' extracts only the default fields and those the SPL "
            "names (quickest), 'verbose' every field, 'smart' (Splunk Web's default) is fast for searches with a "
            "transforming command such as stats and verbose otherwise. Default: Splunk's own (verbose over REST)."
        ),
    )


def sample_ratio_field() -> Any:
    return Field(
        None,
        ge=1,
        le=100_000_000,
        description=(
            "Event sampling: search one event in N (e.g. 100), for a quick look at a large data set. Counts and "
            "sums then describe the sample, not all events: scale them by N. Default 1 (no sampling)."
        ),
    )


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """The caller's search mode and sampling, as splunkd's job arguments and as the result's metrics echo them."""

    search_level: SearchLevel | None = None
    sample_ratio: int | None = None

    def job_args(self, *, ratio_key: str = "sample_ratio") -> dict[str, Any]:
        """Only what was asked for, so Splunk's (or a saved search's) own setting holds otherwise."""
        args: dict[str, Any] = {}
        if self.search_level:
            args["adhoc_search_level"] = self.search_level
        if self.sample_ratio:
            args[ratio_key] = self.sample_ratio
        return args

    def metrics(
        self,
        *,
        duration: float,
        scanned: int | None,
        matched: int | None,
        result_count: int,
        rows: int,
        finished: bool,
        cut_by: list[str],
        messages: list[dict[str, str]],
    ) -> dict[str, Any]:
        return {
            "run_duration_seconds": round(duration, 3),
            "events_scanned": scanned,
            "events_matched": matched,
            "result_count": result_count,
            "rows_returned": rows,
            "finished": finished,
            "cut_by": cut_by,
            "search_level": self.search_level,
            "sample_ratio": self.sample_ratio or 1,
            "messages": messages,
        }


def job_metrics(status: JobStatus, options: SearchOptions, *, rows: int, cut_by: list[str]) -> dict[str, Any]:
    """The ``metrics`` of a job's result, from splunkd's own status (runDuration, scanCount, eventCount, …)."""
    stops = ["time_limit"] if not status.is_done else ["finalized"] if status.is_finalized else []
    return options.metrics(
        duration=status.run_duration,
        scanned=status.scan_count,
        matched=status.event_count,
        result_count=status.result_count,
        rows=rows,
        finished=not stops,
        cut_by=stops + cut_by,
        messages=status.messages,
    )


def wait_budget(settings: GatewaySettings, requested: float | None) -> float:
    """Seconds to wait for a job: the caller's wish or the operator's default, never above the operator's cap."""
    return min(requested or settings.search_wait_seconds, settings.max_wait_seconds)


def row_budget(settings: GatewaySettings, requested: int | None) -> tuple[int, int]:
    """(rows asked for, rows that will be fetched): the default when not given, capped by the operator's maximum."""
    wanted = requested or settings.default_row_limit
    return wanted, min(wanted, settings.max_row_limit)


def next_page_link(sid: str, page: Page) -> ResourceLink | None:
    """A link to the page after ``page`` of job ``sid``'s results, or None when ``page`` is the last."""
    if page.next_offset is None:
        return None
    count = max(page.count, 1)
    return ResourceLink(
        type="resource_link",
        uri=expand_uri_template(JOB_RESULTS, {"sid": sid, "offset": page.next_offset, "count": count}),
        name=f"results of job {sid} from offset {page.next_offset}",
        description=f"The next {count} result rows of search job {sid}, read without running the search again.",
        mimeType="application/json",
    )


def more_of_job(sid: str, page: Page) -> str:
    """The hint of a job's result page cut short: which call fetches the rest."""
    return f"Call get_search_results with sid={sid} and offset={page.offset + page.count} for the rest."


async def wait_with_progress(splunk: SplunkClient, sid: str, budget: float) -> JobStatus:
    """Wait for the job, reporting progress to the MCP client; cancel the job if this call is abandoned.

    Raises ``SearchFailed`` with Splunk's own messages when the job failed.
    """
    ctx = get_context()

    async def report(status: JobStatus) -> None:
        await ctx.report_progress(status.done_progress, 1.0, status.describe())

    try:
        status = await wait_for_job(splunk, sid, budget, report)
    except BaseException:
        await cancel_quietly(splunk, sid)  # the caller gave up: do not leave the search running
        raise
    if status.is_failed:
        raise status.failure()
    return status


async def first_page(
    splunk: SplunkClient,
    sid: str,
    *,
    settings: GatewaySettings,
    wait_seconds: float | None,
    row_limit: int | None,
    options: SearchOptions,
    context: Mapping[str, Any] | None = None,
) -> ToolOutput:
    """Wait for job ``sid`` and answer with its first page of results (or its status, if it is still running).

    ``context`` keys lead the result (e.g. the saved search's name).
    """
    status = await wait_with_progress(splunk, sid, wait_budget(settings, wait_seconds))
    lead = {**(context or {}), "sid": sid}
    if not status.is_done:
        data: dict[str, Any] = {
            **lead,
            "done": False,
            "status": status.as_dict(),
            "metrics": job_metrics(status, options, rows=0, cut_by=[]),
            "message": "Still running: poll get_search_job, then get_search_results.",
        }
        return ToolOutput(data)
    requested, limit = row_budget(settings, row_limit)
    page = await splunk.run(ops.job_results, sid, offset=0, count=limit)
    data = {**lead, "done": True, "fields": page.fields, "results": [], "total": status.result_count}
    data["status"] = status.as_dict()
    # The metrics' size hardly depends on its numbers: a draft with every row cap stands in while rows are fitted.
    data["metrics"] = job_metrics(status, options, rows=0, cut_by=["row_limit", "output_limit"])
    rows = page.rows[: fit_rows(page.rows, settings.max_output_chars, around=data)]
    window = paginate(status.result_count, 0, len(rows))
    data |= {"results": rows, "paging": window.as_dict()}
    cut_by: list[str] = []
    if cut := truncation(
        len(rows),
        min(requested, status.result_count),
        more=more_of_job(sid, window),
        reason="output_limit" if len(rows) < limit else "row_limit",
    ):
        data["truncated"] = cut
        cut_by.append(cut["reason"])
    elif len(rows) < status.result_count:
        cut_by.append("row_limit")  # the rows asked for came back, and more wait to be paged through
    data["metrics"] = job_metrics(status, options, rows=len(rows), cut_by=cut_by)
    link = next_page_link(sid, window)
    return ToolOutput(data, (link,) if link else ())
