"""Managing the caller's search jobs: list them, and keep one's results longer (its TTL).

Both run under the caller's own Splunk identity, so splunkd decides which jobs exist for them; the gateway only
narrows a listing to the caller's own jobs unless asked for every job the caller may see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.job_results import PROVENANCE
from mcp_splunk.tools.jobs import JobStatus, known_job
from mcp_splunk.tools.listing import MAX_COUNT, acl_fields, count_field, integer, listing, offset_field
from mcp_splunk.tools.outputs.search import JobListing, TouchResult
from mcp_splunk.tools.search_jobs import require_own_job
from mcp_splunk.tools.spl_args import Sid

MAX_TTL = 86_400  # a day: longer keeps a job's results on the search head's disk for longer than a session needs


def _created(published: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(published))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def summarize_job(entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    content = entry["content"]
    request = content.get("request") if isinstance(content.get("request"), dict) else {}
    status = JobStatus.from_content(content)
    created = _created(entry.get("published"))
    acl = acl_fields(entry)
    return {
        "sid": status.sid,
        # A saved search's job has no search in its request: its event search is the closest splunkd says.
        "search": str(request.get("search") or content.get("eventSearch") or ""),
        "label": content.get("label") or None,
        "owner": acl["owner"],
        "app": acl["app"],
        "dispatch_state": status.dispatch_state,
        "done_progress": round(status.done_progress, 4),
        "is_done": status.is_done,
        "event_count": status.event_count,
        "result_count": status.result_count,
        "scan_count": status.scan_count,
        "run_duration_seconds": round(status.run_duration, 3),
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
        "age_seconds": max(0, int((now - created).total_seconds())) if created else None,
        "ttl_seconds": integer(content.get("ttl")),
        "started_by_gateway": (content.get("provenance") or request.get("provenance")) == PROVENANCE,
    }


class ListJobsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    include_other_users: bool = Field(
        False,
        description=(
            "Also list other users' jobs that Splunk shows you (an admin sees every user's). Default false: only "
            "the jobs your own Splunk user owns."
        ),
    )
    offset: int = offset_field("job")
    count: int = count_field("jobs")


class ListSearchJobs(BaseTool):
    name = "list_search_jobs"
    title = "List your search jobs"
    description = (
        "Your Splunk search jobs, newest first: sid, SPL, state, progress, event/result/scan counts, run time, "
        "age, the seconds left before Splunk deletes the job (ttl_seconds), and whether this gateway started it "
        "(others come from Splunk Web, the scheduler or other clients). Use get_search_results with a sid to read "
        "a job's results without re-running it, and touch_search_job to keep it longer."
    )
    annotations = read_only()
    Params = ListJobsParams
    Result = JobListing

    async def execute(self, params: ListJobsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entries = await splunk.run(ops.list_jobs, count=MAX_COUNT)
        if not params.include_other_users:
            me = str((await splunk.run(ops.current_context)).get("username") or "")
            entries = [e for e in entries if (e["acl"].get("owner") or "") == me]
        now = datetime.now(UTC)
        jobs = sorted(
            (summarize_job(e, now) for e in entries), key=lambda j: (j["created"] or "", j["sid"]), reverse=True
        )
        return listing(
            "jobs",
            jobs,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
            extra={"include_other_users": params.include_other_users},
        )


class TouchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sid: Sid = Field(description="The search job id (sid), from run_search, list_search_jobs or elsewhere.")
    ttl_seconds: int | None = Field(
        None,
        ge=60,
        le=MAX_TTL,
        description=(
            f"Keep the job this many seconds from now (60 to {MAX_TTL}). Default: restart its current TTL from now."
        ),
    )


class TouchSearchJob(BaseTool):
    name = "touch_search_job"
    title = "Keep a search job longer"
    description = (
        "Extend how long Splunk keeps a search job and its results, by sid: restart its time to live from now, or "
        "set a new one with ttl_seconds. Use it before a job you still need expires (list_search_jobs shows "
        "ttl_seconds). Changes nothing but the job's expiry; you may touch jobs your own Splunk user owns (other "
        "users' jobs only with MCP_SPLUNK_ALLOW_WRITES=true)."
    )
    # Not read-only (the job's expiry changes), but nothing is lost and a repeat leaves the same state.
    annotations = ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
    )
    kind = "job control: own jobs always; others' jobs only with `MCP_SPLUNK_ALLOW_WRITES=true`"
    Params = TouchParams
    Result = TouchResult

    async def execute(self, params: TouchParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        await known_job(splunk, params.sid)
        if not self.deps.settings.gateway.allow_writes:
            await require_own_job(splunk, params.sid, done="touched")
        await splunk.run(ops.touch_job, params.sid, params.ttl_seconds)
        content = await splunk.run(ops.job_status, params.sid)
        return ToolOutput({"sid": params.sid, "ttl_seconds": integer(content.get("ttl")), "touched": True})


TOOLS: tuple[type[BaseTool], ...] = (ListSearchJobs, TouchSearchJob)
