"""Search-job plumbing shared by the search tools: SPL normalisation, status summaries, waiting with progress."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

from mcp_splunk.errors import SearchFailed, SplunkNotFound
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.splunk_client import SplunkClient

ProgressReporter = Callable[["JobStatus"], Awaitable[None]]
# Small searches finish within milliseconds: poll soon, then back off to spare splunkd on long ones.
POLL_FIRST = 0.01
POLL_BACKOFF = 1.6
POLL_MAX = 1.0


def normalize_query(query: str) -> str:
    """splunkd needs an explicit first command: ``search`` is implied unless the query starts with ``|``."""
    text = query.strip()
    first = text.split(None, 1)[0].lower() if text else ""
    return text if text.startswith("|") or first == "search" else f"search {text}"


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true")


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def normalize_messages(raw: Any) -> list[dict[str, str]]:
    """splunkd reports job messages as ``{level: [texts]}`` (XML) or ``[{type, text}]`` (JSON)."""
    if isinstance(raw, dict):
        return [
            {"type": level.upper(), "text": str(t)}
            for level, texts in raw.items()
            for t in (texts if isinstance(texts, list) else [texts])
        ]
    if isinstance(raw, list):
        return [
            {"type": str(m.get("type", "INFO")).upper(), "text": str(m.get("text", ""))}
            for m in raw
            if isinstance(m, dict)
        ]
    return []


@dataclass(frozen=True, slots=True)
class JobStatus:
    sid: str
    dispatch_state: str
    is_done: bool
    is_failed: bool
    is_finalized: bool  # stopped early (by a finalize request or Splunk's own limits): results are partial
    done_progress: float
    event_count: int
    result_count: int
    scan_count: int
    run_duration: float
    messages: list[dict[str, str]]

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> JobStatus:
        return cls(
            sid=str(content.get("sid", "")),
            dispatch_state=str(content.get("dispatchState", "UNKNOWN")),
            is_done=_flag(content.get("isDone")),
            is_failed=_flag(content.get("isFailed")),
            is_finalized=_flag(content.get("isFinalized")),
            done_progress=_number(content.get("doneProgress")),
            event_count=int(_number(content.get("eventCount"))),
            result_count=int(_number(content.get("resultCount"))),
            scan_count=int(_number(content.get("scanCount"))),
            run_duration=_number(content.get("runDuration")),
            messages=normalize_messages(content.get("messages")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "dispatch_state": self.dispatch_state,
            "is_done": self.is_done,
            "is_failed": self.is_failed,
            "is_finalized": self.is_finalized,
            "done_progress": round(self.done_progress, 4),
            "event_count": self.event_count,
            "result_count": self.result_count,
            "scan_count": self.scan_count,
            "run_duration_seconds": round(self.run_duration, 3),
            "messages": self.messages,
        }

    def describe(self) -> str:
        return (
            f"{self.dispatch_state} {self.done_progress:.0%}: {self.scan_count} events scanned, "
            f"{self.event_count} matched, {self.result_count} results"
        )

    def failure(self) -> SearchFailed:
        texts = [m["text"] for m in self.messages if m["type"] in ("FATAL", "ERROR")] or ["no reason given"]
        return SearchFailed(f"Search job {self.sid} failed: {' '.join(texts)}")


async def job_status(splunk: SplunkClient, sid: str) -> JobStatus:
    return JobStatus.from_content(await splunk.run(ops.job_status, sid))


async def wait_for_job(splunk: SplunkClient, sid: str, budget: float, report: ProgressReporter) -> JobStatus:
    """Poll until the job finishes or ``budget`` seconds pass, reporting each change of progress.

    A job already finished at the first poll reports nothing: a lone 100% tells the client nothing, and a progress
    notification turns the reply into a stream, which costs the client a fresh connection.
    """
    deadline = time.monotonic() + budget
    delay = POLL_FIRST
    last: tuple[str, float, int] | None = None
    while True:
        status = await job_status(splunk, sid)
        finished = status.is_done or status.is_failed
        marker = (status.dispatch_state, status.done_progress, status.scan_count)
        if marker != last and not (finished and last is None):
            await report(status)
        last = marker
        if finished or time.monotonic() >= deadline:
            return status
        await anyio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * POLL_BACKOFF, POLL_MAX)


async def cancel_quietly(splunk: SplunkClient, sid: str) -> None:
    """Cancel a job even while the calling task is being cancelled."""
    with anyio.CancelScope(shield=True):
        try:
            await splunk.run(ops.cancel_job, sid)
        except Exception:  # the job may already be gone; cancelling is best effort
            return


async def known_job(splunk: SplunkClient, sid: str) -> JobStatus:
    """The job's status, or a not-found error that explains jobs expire."""
    try:
        return await job_status(splunk, sid)
    except SplunkNotFound:
        raise SplunkNotFound(
            f"No search job '{sid}' on {splunk.config.target}: it never existed, was cancelled, or expired "
            "(Splunk keeps finished jobs only for their TTL). Run the search again.",
            404,
        ) from None
