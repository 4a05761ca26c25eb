"""``run_search``: run SPL as a normal search job, report progress while it runs, return the first page."""

from __future__ import annotations

from typing import Any

from fastmcp.server.dependencies import get_context
from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.jobs import JobStatus, cancel_quietly, display_fields, normalize_query, wait_for_job
from mcp_splunk.tools.paging import paginate
from mcp_splunk.tools.render import table

DEFAULT_WAIT_SECONDS = 30.0


class RunSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        max_length=20_000,
        description=(
            "The SPL to run, e.g. 'index=web status>=500 | stats count by host'. A leading 'search' is added "
            "unless the query starts with a generating command ('| tstats …')."
        ),
    )
    earliest_time: str = Field(
        "-24h",
        max_length=100,
        description=(
            "Start of the time range: a relative modifier such as -24h, -7d@d, or an epoch/ISO time. Default -24h."
        ),
    )
    latest_time: str = Field("now", max_length=100, description="End of the time range. Default now.")
    row_limit: int = Field(
        100,
        ge=1,
        le=10_000,
        description=(
            "How many result rows to return in this call (the first page). Fetch more with get_search_results "
            "using the returned sid. Default 100."
        ),
    )
    wait_seconds: float = Field(
        DEFAULT_WAIT_SECONDS,
        gt=0,
        le=300,
        description=(
            "How long to wait for the search to finish, in seconds. If it takes longer, the call returns the "
            "job's sid and status instead of blocking; poll get_search_job. Default 30."
        ),
    )


class RunSearch(BaseTool):
    name = "run_search"
    title = "Run a Splunk search"
    description = (
        "Run an SPL search and return its first page of results, the job id (sid), the exact total number of "
        "results and a paging envelope. Reports progress while the job runs. Use get_search_results with the "
        "sid for further pages instead of re-running, and export_search for very large result sets."
    )
    annotations = read_only()
    Params = RunSearchParams

    async def execute(self, params: RunSearchParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        ctx = get_context()
        sid = await splunk.run(
            ops.create_job,
            normalize_query(params.query),
            earliest_time=params.earliest_time,
            latest_time=params.latest_time,
            exec_mode="normal",
        )

        async def report(status: JobStatus) -> None:
            await ctx.report_progress(status.done_progress, 1.0, status.describe())

        try:
            status = await wait_for_job(splunk, sid, params.wait_seconds, report)
        except BaseException:
            await cancel_quietly(splunk, sid)  # the caller gave up: do not leave the search running
            raise
        if status.is_failed:
            raise status.failure()
        if not status.is_done:
            data: dict[str, Any] = {
                "sid": sid,
                "done": False,
                "status": status.as_dict(),
                "message": "Still running: poll get_search_job, then get_search_results.",
            }
            return ToolOutput(
                data,
                f"Search {sid} is still running ({status.describe()}). "
                "Poll get_search_job, then fetch rows with get_search_results.",
            )
        page = await splunk.run(ops.job_results, sid, offset=0, count=params.row_limit)
        window = paginate(status.result_count, 0, len(page.rows))
        data = {
            "sid": sid,
            "done": True,
            "fields": page.fields,
            "results": page.rows,
            "total": status.result_count,
            "paging": window.as_dict(),
            "status": status.as_dict(),
        }
        text = table(page.rows, display_fields(page.fields)) + "\n" + window.summary("results") + f" sid={sid}"
        return ToolOutput(data, text)


TOOLS: tuple[type[BaseTool], ...] = (RunSearch,)
