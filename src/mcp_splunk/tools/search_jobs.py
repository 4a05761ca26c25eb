"""Working with search jobs by sid: their status, further pages of their results, and cancelling them."""

from __future__ import annotations

import time
from typing import Any, Literal

import anyio
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import InvalidArgument, PolicyViolation
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.job_results import more_of_job, next_page_link
from mcp_splunk.tools.jobs import POLL_BACKOFF, POLL_FIRST, POLL_MAX, known_job
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.outputs.search import CancelResult, JobStatusResult, SearchResultsPage
from mcp_splunk.tools.paging import paginate
from mcp_splunk.tools.spl_args import Sid
from mcp_splunk.tools.splunk_client import SplunkClient

# How long a read-only cancel waits for a just-dispatched job to report its owner (splunkd answers 204 until then).
_OWNER_WAIT = 3.0
_SID = Field(description="The search job id (sid) returned by run_search, run_saved_search or get_search_job.")


class SidParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sid: Sid = _SID


class ResultsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sid: Sid = _SID
    offset: int = Field(0, ge=0, description="Index of the first row to return. Default 0; use next_offset to page.")
    count: int = Field(
        100, ge=1, description="Rows to return at most (capped by the operator's row limit). Default 100."
    )
    kind: Literal["results", "events"] = Field(
        "results",
        description=(
            "'results' (the search's output, default) or 'events' (the raw events the search matched, useful after "
            "a transforming command such as stats)."
        ),
    )


class GetSearchResults(BaseTool):
    name = "get_search_results"
    title = "Page through a search job's results"
    description = (
        "Fetch a page of a finished search job's results by sid, without running the SPL again. Use it after "
        "run_search returns has_more, or when run_search returned before the job finished. Returns the rows, the "
        "exact total and a paging envelope (offset, count, total, has_more, next_offset)."
    )
    annotations = read_only()
    Params = ResultsParams
    Result = SearchResultsPage

    async def execute(self, params: ResultsParams) -> ToolOutput:
        limits = self.deps.settings.gateway
        splunk = await self.get_splunk_service()
        status = await known_job(splunk, params.sid)
        if status.is_failed:
            raise status.failure()
        if not status.is_done:
            raise InvalidArgument(
                f"Search job {params.sid} has not finished ({status.describe()}); poll get_search_job until "
                "is_done, then fetch results."
            )
        total = status.event_count if params.kind == "events" else status.result_count
        wanted = min(params.count, limits.max_row_limit)
        page = await splunk.run(ops.job_results, params.sid, offset=params.offset, count=wanted, kind=params.kind)
        data: dict[str, Any] = {"sid": params.sid, "kind": params.kind, "fields": page.fields, "results": []}
        rows = page.rows[: fit_rows(page.rows, limits.max_output_chars, around=data)]
        window = paginate(total, params.offset, len(rows))
        data |= {"results": rows, "total": total, "paging": window.as_dict()}
        available = min(wanted, max(0, total - params.offset))
        if cut := truncation(len(rows), available, more=more_of_job(params.sid, window)):
            data["truncated"] = cut
        link = next_page_link(params.sid, window) if params.kind == "results" else None
        return ToolOutput(data, (link,) if link else ())


class GetSearchJob(BaseTool):
    name = "get_search_job"
    title = "Search job status"
    description = (
        "The status of a search job by sid: dispatch state (QUEUED, PARSING, RUNNING, FINALIZING, DONE, FAILED), "
        "progress, event and result counts, run time, and Splunk's own error and warning messages. Poll it when "
        "run_search returned before the job finished."
    )
    annotations = read_only()
    Params = SidParams
    Result = JobStatusResult

    async def execute(self, params: SidParams) -> ToolOutput:
        status = await known_job(await self.get_splunk_service(), params.sid)
        return ToolOutput(status.as_dict())


class CancelSearchJob(BaseTool):
    name = "cancel_search_job"
    title = "Cancel a search job"
    description = (
        "Stop a running search job and discard its results, by sid. Use it for searches you no longer need, "
        "so they stop using Splunk's resources. You may always cancel jobs your own Splunk user owns; cancelling "
        "another user's job needs the operator to set MCP_SPLUNK_ALLOW_WRITES=true (and Splunk to allow it). "
        "Cancelling an unknown or finished-and-expired job is an error."
    )
    # Destructive in MCP's sense: not additive and not undoable (the sid answers 404 afterwards), and with writes
    # on it can end another user's work. What it discards is a transient job's output, never stored data, which
    # is why a read-only gateway still lets an identity cancel its own jobs. A repeat changes nothing more.
    annotations = ToolAnnotations(
        read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
    )
    kind = "destructive job control: own jobs always; others' jobs only with `MCP_SPLUNK_ALLOW_WRITES=true`"
    Params = SidParams
    Result = CancelResult

    async def execute(self, params: SidParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        await known_job(splunk, params.sid)
        if not self.deps.settings.gateway.allow_writes:
            await require_own_job(splunk, params.sid, done="cancelled")
        await splunk.run(ops.cancel_job, params.sid)
        return ToolOutput({"sid": params.sid, "cancelled": True})


async def require_own_job(splunk: SplunkClient, sid: str, *, done: str) -> None:
    """Refuse, before anything is changed, unless the caller's Splunk identity owns the job (``done``: the verb
    of the refusal, e.g. "cancelled").

    Both names come from splunkd (the job's ``eai:acl`` and ``authentication/current-context``), so token and
    session-key callers, whose configuration carries no username, are judged the same way.
    """
    owner = await _job_owner(splunk, sid)
    if owner is None:
        raise PolicyViolation(
            f"Search job {sid} was not {done}: Splunk has not yet said who owns it (it is still starting). "
            "Try again in a moment; changing other users' jobs needs MCP_SPLUNK_ALLOW_WRITES=true."
        )
    me = str((await splunk.run(ops.current_context)).get("username") or "")
    if not me or owner != me:
        raise PolicyViolation(
            f"Search job {sid} was not {done}: it belongs to Splunk user '{owner}', not to '{me or 'unknown'}', "
            "and with writes disabled this gateway changes only the caller's own jobs. Use your own jobs, or "
            "ask the operator to set MCP_SPLUNK_ALLOW_WRITES=true to change other users' jobs."
        )


async def _job_owner(splunk: SplunkClient, sid: str) -> str | None:
    """The job's owner, waiting briefly through splunkd's 204 for a job that has not started yet."""
    deadline = time.monotonic() + _OWNER_WAIT
    delay = POLL_FIRST
    while (owner := await splunk.run(ops.job_owner, sid)) is None and time.monotonic() < deadline:
        await anyio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * POLL_BACKOFF, POLL_MAX)
    return owner


TOOLS: tuple[type[BaseTool], ...] = (GetSearchResults, GetSearchJob, CancelSearchJob)
