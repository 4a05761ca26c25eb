"""Running SPL: ``run_search`` (a job with progress and paging) and ``export_search`` (streamed, bounded)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.export import export_rows
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.job_results import first_page, row_limit_field, wait_budget, wait_seconds_field
from mcp_splunk.tools.jobs import display_fields
from mcp_splunk.tools.limits import STRUCTURED_SHARE
from mcp_splunk.tools.render import table

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


class RunSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = _QUERY
    earliest_time: str | None = _EARLIEST
    latest_time: str = _LATEST
    row_limit: int | None = row_limit_field()
    wait_seconds: float | None = wait_seconds_field()


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


class RunSearch(BaseTool):
    name = "run_search"
    title = "Run a Splunk search"
    description = (
        "Run an SPL search and return its first page of results, the job id (sid), the exact total number of "
        "results and a paging envelope. Reports progress while the job runs; if the call is cancelled, so is the "
        "Splunk job. Use get_search_results with the sid for further pages instead of re-running, and "
        "export_search for very large result sets."
    )
    annotations = read_only()
    Params = RunSearchParams

    async def execute(self, params: RunSearchParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        earliest, latest = params.earliest_time or settings.default_earliest, params.latest_time
        splunk = await self.get_splunk_service()
        query = await self.deps.guard.require(splunk, params.query, earliest, latest)
        sid = await splunk.run(
            ops.create_job,
            query,
            earliest_time=earliest,
            latest_time=latest,
            exec_mode="normal",
            timeout=settings.job_ttl_seconds,
        )
        return await first_page(
            splunk, sid, settings=settings, wait_seconds=params.wait_seconds, row_limit=params.row_limit
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

    async def execute(self, params: ExportSearchParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        earliest, latest = params.earliest_time or settings.default_earliest, params.latest_time
        splunk = await self.get_splunk_service()
        result = await splunk.run(
            export_rows,
            await self.deps.guard.require(splunk, params.query, earliest, latest),
            max_rows=min(params.max_rows, settings.max_export_rows),
            keep_chars=int(settings.max_output_chars * STRUCTURED_SHARE),
            time_budget=wait_budget(settings, params.wait_seconds),
            earliest_time=earliest,
            latest_time=latest,
        )
        data: dict[str, Any] = {
            "fields": result.fields,
            "results": result.rows,
            "rows_returned": len(result.rows),
            "rows_seen": result.rows_seen,
            "complete": result.complete,
            "stopped": result.stopped,
            "truncated": len(result.rows) < result.rows_seen or not result.complete,
            "preview_rows_skipped": result.preview_rows_skipped,
            "messages": result.messages,
        }
        ending = "all rows read" if result.complete else f"stopped early ({result.stopped})"
        text = (
            table(result.rows, display_fields(result.fields))
            + f"\n{len(result.rows)} of {result.rows_seen} rows seen returned; {ending}."
        )
        return ToolOutput(data, text)


TOOLS: tuple[type[BaseTool], ...] = (RunSearch, ExportSearch)
