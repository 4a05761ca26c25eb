"""Running SPL: ``run_search`` (a job with progress and paging) and ``export_search`` (streamed, bounded)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.export import ExportResult as ExportRead
from mcp_splunk.splunk.export import export_rows
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.job_results import (
    PROVENANCE,
    SearchLevel,
    SearchOptions,
    first_page,
    row_limit_field,
    sample_ratio_field,
    search_level_field,
    wait_budget,
    wait_seconds_field,
)
from mcp_splunk.tools.jobs import normalize_messages
from mcp_splunk.tools.limits import STRUCTURED_SHARE, fit_rows
from mcp_splunk.tools.outputs.search import ExportResult, SearchRun

_QUERY = Field(
    min_length=1,
    max_length=20_000,
    description=(
        "The SPL to run, e.g. 'index=web status>=500 | stats count by host'. A leading 'search' is added unless "
        "the query starts with a generating command ('| tstats …'). Commands that write, send or execute "
        "(delete, collect, outputlookup, sendemail, script, …) are refused."
    ),
)
_EARLIEST = Field(
    None,
    max_length=100,
    description=(
        "Start of the time range: a relative modifier such as -24h, -7d@d, or an epoch or ISO time. Default: the "
        "operator's default window (usually -24h). Ranges wider than the operator's limit are refused."
    ),
)
_LATEST = Field("now", max_length=100, description="End of the time range. Default now.")
_EXPORT_HINT = (
    "An export returns only the leading rows that fit the output limit: for every row, run the search with "
    "run_search and page through its results with get_search_results (or aggregate it first)."
)


class RunSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = _QUERY
    earliest_time: str | None = _EARLIEST
    latest_time: str = _LATEST
    row_limit: int | None = row_limit_field()
    wait_seconds: float | None = wait_seconds_field()
    search_level: SearchLevel | None = search_level_field()
    sample_ratio: int | None = sample_ratio_field()


class ExportSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = _QUERY
    earliest_time: str | None = _EARLIEST
    latest_time: str = _LATEST
    max_rows: int = Field(
        10_000,
        ge=1,
        description=(
            "Stop reading after this many result rows (the operator's maximum applies). Default 10000. The result "
            "holds as many leading rows as fit the output limit, and says how many rows were seen."
        ),
    )
    wait_seconds: float | None = Field(None, gt=0, description="Time budget for reading the export, in seconds.")
    search_level: SearchLevel | None = search_level_field()
    sample_ratio: int | None = sample_ratio_field()


class RunSearch(BaseTool):
    name = "run_search"
    title = "Run a Splunk search"
    description = (
        "Run an SPL search and return its first page of results, the job id (sid), the exact total number of "
        "results and a paging envelope. Reports progress while the job runs; if the call is cancelled, so is the "
        "Splunk job. Use get_search_results with the sid for further pages instead of re-running, and "
        "export_search for very large result sets. search_level and sample_ratio trade completeness for speed; "
        "metrics says how the search ran (duration, events scanned and matched, whether it finished or was cut)."
    )
    annotations = read_only()
    Params = RunSearchParams
    Result = SearchRun
    task = True  # an MCP task for a client that asks (MCP_SPLUNK_TASKS)

    async def execute(self, params: RunSearchParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        earliest, latest = params.earliest_time or settings.default_earliest, params.latest_time
        splunk = await self.get_splunk_service()
        query = await self.deps.guard.require(splunk, params.query, earliest, latest)
        options = SearchOptions(params.search_level, params.sample_ratio)
        sid = await splunk.run(
            ops.create_job,
            query,
            earliest_time=earliest,
            latest_time=latest,
            exec_mode="normal",
            timeout=settings.job_ttl_seconds,
            provenance=PROVENANCE,
            **options.job_args(),
        )
        return await first_page(
            splunk,
            sid,
            settings=settings,
            wait_seconds=params.wait_seconds,
            row_limit=params.row_limit,
            options=options,
        )


class ExportSearch(BaseTool):
    name = "export_search"
    title = "Export a large search result"
    description = (
        "Stream a search's results straight from Splunk without creating a stored job, for large result sets. "
        "Memory stays bounded: the result holds the leading rows that fit the output limit and reports honestly "
        "how many rows were seen and whether reading stopped early (truncated, rows_seen, complete). Prefer "
        "run_search when you need paging or a sid."
    )
    annotations = read_only()
    Params = ExportSearchParams
    Result = ExportResult
    task = True  # an MCP task for a client that asks (MCP_SPLUNK_TASKS)

    async def execute(self, params: ExportSearchParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        earliest, latest = params.earliest_time or settings.default_earliest, params.latest_time
        splunk = await self.get_splunk_service()
        options = SearchOptions(params.search_level, params.sample_ratio)
        started = time.monotonic()
        result = await splunk.run(
            export_rows,
            await self.deps.guard.require(splunk, params.query, earliest, latest),
            max_rows=min(params.max_rows, settings.max_export_rows),
            keep_chars=int(settings.max_output_chars * STRUCTURED_SHARE),
            time_budget=wait_budget(settings, params.wait_seconds),
            earliest_time=earliest,
            latest_time=latest,
            **options.job_args(),
        )
        duration = time.monotonic() - started
        # The stream kept rows up to the budget; what else the result says (fields, messages, the hint) may
        # leave room for fewer.
        draft = _export_metrics(options, result, duration, rows=0, output_cut=True)
        around = {"fields": result.fields, "messages": result.messages, "hint": _EXPORT_HINT, "metrics": draft}
        kept = replace(result, rows=result.rows[: fit_rows(result.rows, settings.max_output_chars, around=around)])
        truncated = len(kept.rows) < kept.rows_seen or not kept.complete
        data: dict[str, Any] = {
            "fields": kept.fields,
            "results": kept.rows,
            "rows_returned": len(kept.rows),
            "rows_seen": kept.rows_seen,
            "complete": kept.complete,
            "stopped": kept.stopped,
            "truncated": truncated,
            "preview_rows_skipped": kept.preview_rows_skipped,
            "messages": kept.messages,
            "metrics": _export_metrics(
                options, kept, duration, rows=len(kept.rows), output_cut=len(kept.rows) < kept.rows_seen
            ),
        }
        if truncated:
            data["hint"] = _EXPORT_HINT
        return ToolOutput(data)


def _export_metrics(
    options: SearchOptions, result: ExportRead, duration: float, *, rows: int, output_cut: bool
) -> dict[str, Any]:
    """An export's metrics: it has no job, so the time is the gateway's reading time and the count what was read."""
    stopped = {"max_rows": "row_limit", "time": "time_limit"}.get(result.stopped or "")
    return options.metrics(
        duration=duration,
        scanned=None,
        matched=None,
        result_count=result.rows_seen,
        rows=rows,
        finished=result.complete,
        cut_by=[*([stopped] if stopped else []), *(["output_limit"] if output_cut else [])],
        messages=normalize_messages(result.messages),
    )


TOOLS: tuple[type[BaseTool], ...] = (RunSearch, ExportSearch)
