"""search/jobs and search/v2/jobs: create (normal, blocking, oneshot), status, results, control, export, parser."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from mcp_splunk.sandbox.accounts import User
from mcp_splunk.sandbox.jobs import DONE, FAILED, QUEUED, Job
from mcp_splunk.sandbox.rest import atom
from mcp_splunk.sandbox.rest.entries import Acl, Entry
from mcp_splunk.sandbox.rest.jsonfmt import dumps
from mcp_splunk.sandbox.rest.replies import (
    BodyReply,
    DocumentReply,
    EmptyReply,
    EntryReply,
    FeedReply,
    MessageReply,
    Reply,
    SplunkdError,
    StreamReply,
)
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.results import export_stream, results_reply, select_fields
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.search_context import SandboxSearchContext
from mcp_splunk.sandbox.spl import SplError, describe, parse_search, resolve_time, run_search
from mcp_splunk.sandbox.spl.modes import mode_context, sample_ratio, search_level
from mcp_splunk.sandbox.state import SandboxState

EXEC_MODES = ("normal", "blocking", "oneshot")
CONTROL_ACTIONS = (
    "cancel",
    "finalize",
    "pause",
    "unpause",
    "touch",
    "setttl",
    "setpriority",
    "enablepreview",
    "disablepreview",
    "save",
    "unsave",
)
MAX_RESULT_ROWS = 50_000  # splunkd's maxresultrows: larger pages are clamped, not refused


def _iso(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds") if epoch else ""


def _fatal(exc: SplError) -> SplunkdError:
    return SplunkdError(400, str(exc), "FATAL")


def prepare(state: SandboxState, req: SplunkdRequest, search: str, *, now: float) -> tuple[Any, dict[str, str]]:
    """Parse the SPL and check the time range, as splunkd does before it creates a job (400 FATAL if bad)."""
    user = req.require_user()
    ctx = SandboxSearchContext(state, user, now, req.app if req.app not in (None, "-") else user.default_app)
    try:
        parsed = parse_search(search, ctx)
        for key in ("earliest_time", "latest_time"):
            if value := req.get(key):
                resolve_time(value, now)
        search_level(req.get("adhoc_search_level"))
        sample_ratio(req.get("sample_ratio") or req.get("dispatch.sample_ratio"))
    except SplError as exc:
        raise _fatal(exc) from None
    request = {k: v for k, v in req.form(exclude=("output_mode", "search")).items()}
    request["search"] = search
    return parsed, request


def dispatch(
    state: SandboxState,
    req: SplunkdRequest,
    search: str,
    *,
    saved_search: str | None = None,
    label: str = "",
    sid: str | None = None,
    on_done: Callable[[Job], None] | None = None,
    ttl: int,
    run_as: User | None = None,
) -> Job:
    """Create and start a job owned by the caller; its SPL runs with ``run_as``'s rights (default: the caller)."""
    now = time.time()
    user = req.require_user()
    parsed, request = prepare(state, req, search, now=now)
    app = req.app if req.app not in (None, "-") else user.default_app
    job = Job(
        sid=sid or state.jobs.new_sid(now, user.name, saved_search, app),
        owner=user.name,
        app=app,
        search=search,
        parsed=parsed,
        request=request,
        created=now,
        ttl=ttl,
        label=label,
        saved_search=saved_search,
        info=describe(parsed),
        on_done=on_done,
    )
    ctx = mode_context(SandboxSearchContext(state, run_as or user, now, app), parsed, request)
    return state.jobs.submit(job, ctx)


def _sid_reply(job: Job, status: int) -> Reply:
    # splunkd names the new job's status URL: the v1 collection, whichever collection created the job.
    location = ("Location", f"/services/search/jobs/{quote(job.sid, safe='')}")
    return DocumentReply(status, f"  <sid>{job.sid}</sid>\n", {"sid": job.sid}, [location])


def create(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    search = req.get("search")
    if not search:
        raise SplunkdError(400, "Missing required argument: search")
    mode = req.get("exec_mode") or "normal"
    if mode not in EXEC_MODES:
        raise SplunkdError(400, f"Argument 'exec_mode' must be one of {', '.join(EXEC_MODES)}; got '{mode[:32]}'.")
    if mode == "oneshot":
        return _oneshot(state, req, search)
    # splunkd calls a job's time to live after it finishes "timeout" on creation.
    ttl = req.int_param("timeout", state.options.job_ttl, minimum=1)
    job = dispatch(state, req, search, sid=req.get("id") or None, ttl=ttl)
    if mode == "blocking":
        job.done.wait()
    return _sid_reply(job, 201)


def _oneshot(state: SandboxState, req: SplunkdRequest, search: str) -> Reply:
    now = time.time()
    parsed, request = prepare(state, req, search, now=now)
    user = req.require_user()
    try:
        result = run_search(
            parsed,
            mode_context(SandboxSearchContext(state, user, now), parsed, request),
            earliest_time=request.get("earliest_time"),
            latest_time=request.get("latest_time"),
        )
    except SplError as exc:
        raise _fatal(exc) from None
    offset = req.int_param("offset", 0)
    count = req.count_param(100)
    rows = result.results[offset:] if count <= 0 else result.results[offset : offset + count]
    fields = select_fields(result.fields, req.getall("f") + req.getall("field_list"))
    return results_reply(req.output_mode, fields, rows, offset=offset, preview=False, messages=result.messages)


def _owned_job(state: SandboxState, req: SplunkdRequest, sid: str) -> Job:
    job = state.jobs.get(sid)
    user = req.require_user()
    if job is None or (job.owner != user.name and "admin_all_objects" not in state.accounts.capabilities(user)):
        raise SplunkdError(404, "Unknown sid.", "FATAL")
    return job


def job_entry(job: Job, server_name: str) -> Entry:
    events, results, scanned = job.counts()
    result = job.result
    messages: dict[str, list[str]] = {}
    for kind, text in job.messages:
        messages.setdefault(kind.lower(), []).append(text)
    info = job.info
    content: dict[str, Any] = {
        "canSummarize": False,
        "cursorTime": _iso(result.latest if result else None),
        "defaultSaveTTL": 604800,
        "defaultTTL": job.ttl,
        "delegate": "scheduler" if job.saved_search else "",
        "diskUsage": 0,
        "dispatchState": job.state,
        "doneProgress": f"{job.progress:.5f}",
        "dropCount": 0,
        "earliestTime": _iso(result.earliest if result else None),
        "eventAvailableCount": events,
        "eventCount": events,
        "eventFieldCount": len(result.fields) if result else 0,
        "eventIsStreaming": True,
        "eventIsTruncated": False,
        "eventSearch": info.get("eventsSearch", ""),
        "eventSorting": "desc",
        "isDone": job.is_done,
        "isFailed": job.state == FAILED,
        "isFinalized": job.finalized,
        "isPaused": job.paused,
        "isPreviewEnabled": False,
        "isRealTimeSearch": False,
        "isRemoteTimeline": False,
        "isSaved": False,
        "isSavedSearch": job.saved_search is not None,
        "isZombie": False,
        "keywords": "",
        "label": job.label or job.saved_search or "",
        "latestTime": _iso(result.latest if result else None),
        "numPreviews": 0,
        "priority": 5,
        "provenance": job.request.get("provenance", ""),
        "remoteSearch": info.get("remoteSearch", ""),
        "reportSearch": info.get("reportsSearch", "") if result is None or result.is_reporting else "",
        "resultCount": results,
        "resultIsStreaming": not (result.is_reporting if result else False),
        "resultPreviewCount": results,
        "sampleRatio": job.request.get("sample_ratio") or job.request.get("dispatch.sample_ratio") or "1",
        "runDuration": f"{job.run_duration:.6f}",
        "scanCount": scanned,
        "sid": job.sid,
        "statusBuckets": 0,
        "ttl": job.time_left(),
        "messages": messages,
        "request": dict(job.request),
        "runtime": {"auto_cancel": "0", "auto_pause": "0"},
        "searchProviders": [server_name],
        "published": _iso(job.created),
    }
    acl = Acl(owner=job.owner, app=job.app, sharing="global", read=(job.owner,), write=(job.owner,))
    links = ("search.log", "events", "results", "results_preview", "timeline", "summary", "control")
    return Entry(
        job.sid,
        "search/jobs",
        content,
        acl,
        job.owner,
        _iso(time.time()),
        namespaced=False,
        extra_links=links,
    )


def list_jobs(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    user = req.require_user()
    admin = "admin_all_objects" in state.accounts.capabilities(user)
    entries = [job_entry(j, state.options.server_name) for j in state.jobs.list() if admin or j.owner == user.name]
    query = req.list_query()
    return FeedReply(query.apply("jobs", "search/jobs", entries))


def status(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    job = _owned_job(state, req, params["sid"])
    if job.state == QUEUED:
        return EmptyReply(204)  # splunkd has no status for a job that has not started yet
    return EntryReply(job_entry(job, state.options.server_name))


def delete(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    job = _owned_job(state, req, params["sid"])
    state.jobs.cancel(job.sid)
    return MessageReply(200, [("INFO", "Search job cancelled.")])


def results(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    job = _owned_job(state, req, params["sid"])
    kind = params["kind"]
    preview = kind == "results_preview"
    if not job.is_done and not preview:
        return EmptyReply(204)
    offset = req.int_param("offset", 0)
    count = min(req.count_param(100), MAX_RESULT_ROWS)
    result = job.result
    if result is None:
        rows: list[dict[str, Any]] = []
        fields: list[str] = []
    else:
        source = result.events if kind == "events" else job.visible_rows(preview)
        rows = source[offset:] if count <= 0 else source[offset : offset + count]
        fields = select_fields(
            result.fields if kind != "events" or not result.is_reporting else _event_fields(result.events),
            req.getall("f") + req.getall("field_list"),
        )
    return results_reply(
        req.output_mode,
        fields,
        rows,
        offset=offset,
        preview=preview and job.state != DONE,
        messages=job.messages,
    )


def _event_fields(events: list[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in events[:1000]:
        names.update(dict.fromkeys(row))
    return sorted(names)


def control(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    job = _owned_job(state, req, params["sid"])
    action = req.get("action") or ""
    if action not in CONTROL_ACTIONS:
        raise SplunkdError(400, f"Argument 'action' must be one of {', '.join(CONTROL_ACTIONS)}; got '{action[:32]}'.")
    if action == "cancel":
        state.jobs.cancel(job.sid)
        return MessageReply(200, [("INFO", "Search job cancelled.")])
    if action == "finalize":
        state.jobs.finalize(job)
    elif action in ("pause", "unpause"):
        job.paused = action == "pause"
    elif action == "setttl":
        job.ttl = req.int_param("ttl", job.ttl, minimum=1)
    # "touch" needs nothing more: looking the job up (``_owned_job``) restarted its time to live.
    return MessageReply(200, [("INFO", f"Search job {action} request was successful.")])


def export(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    search = req.get("search")
    if not search:
        raise SplunkdError(400, "Missing required argument: search")
    now = time.time()
    parsed, request = prepare(state, req, search, now=now)
    try:
        result = run_search(
            parsed,
            mode_context(SandboxSearchContext(state, req.require_user(), now), parsed, request),
            earliest_time=request.get("earliest_time"),
            latest_time=request.get("latest_time"),
        )
    except SplError as exc:
        raise _fatal(exc) from None
    mode = req.get("output_mode") or "xml"
    if mode not in ("json", "xml", "csv", "raw"):
        raise SplunkdError(400, f"Invalid output_mode '{mode[:32]}': use json, xml or csv.")
    fields = select_fields(result.fields, req.getall("f") + req.getall("field_list"))
    preview_first = result.is_reporting and req.flag("preview", True)
    content_type = "application/json; charset=UTF-8" if mode == "json" else "text/xml; charset=UTF-8"
    chunks = export_stream(mode, fields, result.results, preview_first=preview_first, messages=result.messages)
    return StreamReply(chunks, content_type)


def parser(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    query = req.get("q")
    if not query:
        raise SplunkdError(400, "Missing required argument: q")
    user = req.require_user()
    try:
        description = describe(parse_search(query, SandboxSearchContext(state, user, time.time())))
    except SplError as exc:
        raise _fatal(exc) from None
    if req.json_mode:
        return BodyReply(200, dumps(description).encode(), "application/json; charset=UTF-8")
    out: list[str] = []
    atom.render_plain(description, out)
    return BodyReply(200, atom.render_response("".join(out)).encode(), "text/xml; charset=UTF-8")


def _results_route(kind: str) -> Any:
    def handler(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        return results(state, req, {**params, "kind": kind})

    return handler


ROUTES = [
    *route("GET POST", "search/{v2}/jobs/export", export),
    *route("GET POST", "search/{v2}/parser", parser),
    *route("POST", "search/{v2}/jobs", create),
    *route("GET", "search/{v2}/jobs", list_jobs),
    *route("GET", "search/{v2}/jobs/{sid}", status),
    *route("DELETE", "search/{v2}/jobs/{sid}", delete),
    *route("POST", "search/{v2}/jobs/{sid}/control", control),
    *[
        r
        for kind in ("results", "results_preview", "events")
        for r in route("GET POST", f"search/{{v2}}/jobs/{{sid}}/{kind}", _results_route(kind))
    ],
]
