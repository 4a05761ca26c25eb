"""Search jobs: dispatch, the QUEUED → PARSING → RUNNING → FINALIZING → DONE progression, control and expiry.

A job's SPL runs on a worker thread. When the sandbox is configured with a ``job_latency`` the job then stays
RUNNING for that long, revealing its progress and counts gradually, so that clients' polling, progress
reporting and cancellation can be exercised against searches that take time, as real ones do.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp_splunk.sandbox.spl import SearchCancelled, SearchResult, SplError, run_search

if TYPE_CHECKING:
    from mcp_splunk.sandbox.spl import ParsedSearch
    from mcp_splunk.sandbox.spl.context import SearchContext

QUEUED, PARSING, RUNNING, FINALIZING, DONE, FAILED = (
    "QUEUED",
    "PARSING",
    "RUNNING",
    "FINALIZING",
    "DONE",
    "FAILED",
)
TERMINAL = frozenset({DONE, FAILED})
logger = logging.getLogger("mcp_splunk.sandbox")
MAX_RETAINED_JOBS = 2000
_CANCELLED_MEMORY = 10_000


@dataclass(slots=True)
class Job:
    sid: str
    owner: str
    app: str
    search: str
    parsed: ParsedSearch
    request: dict[str, str]
    created: float
    ttl: int
    label: str = ""
    saved_search: str | None = None
    info: dict[str, Any] = field(default_factory=dict)  # search/parser's description of the search
    state: str = QUEUED
    progress: float = 0.0
    result: SearchResult | None = None
    messages: list[tuple[str, str]] = field(default_factory=list)
    run_duration: float = 0.0
    finalized: bool = False
    paused: bool = False
    touched: float = 0.0
    on_done: Callable[[Job], None] | None = None  # runs once the search succeeded, before DONE
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def is_done(self) -> bool:
        return self.state in TERMINAL

    def time_left(self) -> int:
        """Seconds until the job expires (splunkd's ``ttl``): the whole TTL until it finishes, then counting down
        from its last access (any request about it, or a ``touch``)."""
        if not self.is_done:
            return self.ttl
        return max(0, round(self.ttl - (time.monotonic() - self.touched)))

    def revealed(self) -> float:
        """Fraction of the counts a client may see now: all of them once DONE, the progress before."""
        return 1.0 if self.state == DONE else self.progress

    def counts(self) -> tuple[int, int, int]:
        """(eventCount, resultCount, scanCount) as visible now."""
        if self.result is None:
            return 0, 0, 0
        share = self.revealed()
        r = self.result
        return int(r.event_count * share), int(len(r.results) * share), int(r.scan_count * share)

    def visible_rows(self, preview: bool) -> list[dict[str, Any]]:
        if self.result is None:
            return []
        rows = self.result.results
        return rows if not preview or self.state == DONE else rows[: int(len(rows) * self.revealed())]


class JobManager:
    def __init__(self, *, latency: float, default_ttl: int, workers: int = 16) -> None:
        self.latency = latency
        self.default_ttl = default_ttl
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox-search")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._cancelled: dict[str, None] = {}
        self._counter = itertools.count(1)

    def new_sid(self, now: float, owner: str, saved_search: str | None, app: str) -> str:
        n = next(self._counter)
        if saved_search is None:
            return f"{now:.0f}.{n}"
        digest = hashlib.md5(saved_search.encode(), usedforsecurity=False).hexdigest()[:16]
        return f"{owner}__nobody__{app}__RMD5{digest}_at_{now:.0f}_{n}"

    def submit(self, job: Job, ctx: SearchContext) -> Job:
        job.touched = time.monotonic()
        with self._lock:
            self._reap()
            self._jobs[job.sid] = job
        self._executor.submit(self._run, job, ctx)
        return job

    def get(self, sid: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(sid)
        if job is not None:
            job.touched = time.monotonic()
        return job

    def list(self) -> list[Job]:
        with self._lock:
            self._reap()
            return list(self._jobs.values())

    def cancel(self, sid: str) -> bool:
        """Stop the job and forget it, as splunkd does: a cancelled sid answers 404 afterwards."""
        with self._lock:
            job = self._jobs.pop(sid, None)
            if job is not None:
                self._cancelled[sid] = None
                while len(self._cancelled) > _CANCELLED_MEMORY:
                    self._cancelled.pop(next(iter(self._cancelled)))
        if job is None:
            return False
        job.stop.set()
        return True

    def was_cancelled(self, sid: str) -> bool:
        with self._lock:
            return sid in self._cancelled

    def cancelled(self) -> tuple[str, ...]:
        """Sids of cancelled jobs, oldest first (the most recent 10,000)."""
        with self._lock:
            return tuple(self._cancelled)

    def finalize(self, job: Job) -> None:
        job.finalized = True
        job.stop.set()

    def shutdown(self) -> None:
        for job in self.list():
            job.stop.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _reap(self) -> None:
        now = time.monotonic()
        expired = [s for s, j in self._jobs.items() if j.is_done and now - j.touched > j.ttl]
        for sid in expired:
            del self._jobs[sid]
        if len(self._jobs) > MAX_RETAINED_JOBS:
            done = sorted((j for j in self._jobs.values() if j.is_done), key=lambda j: j.touched)
            for job in done[: len(self._jobs) - MAX_RETAINED_JOBS]:
                del self._jobs[job.sid]

    # -- execution ----------------------------------------------------------------------------------------
    def _run(self, job: Job, ctx: SearchContext) -> None:
        started = time.monotonic()
        try:
            if self._pace(job, QUEUED, 0.05, 0.0, 0.0) and self._pace(job, PARSING, 0.05, 0.0, 0.0):
                job.state = RUNNING
                job.result = run_search(
                    job.parsed,
                    ctx,
                    earliest_time=job.request.get("earliest_time") or None,
                    latest_time=job.request.get("latest_time") or None,
                    progress=lambda fraction, _scanned, _matched: self._report(job, fraction),
                    should_stop=job.stop.is_set,
                )
                job.messages.extend(job.result.messages)
                if self._pace(job, RUNNING, 0.8, 0.1, 0.95):
                    self._pace(job, FINALIZING, 0.1, 0.95, 1.0)
            if job.result is not None and (not job.stop.is_set() or job.finalized):
                if job.on_done is not None:
                    # Before DONE shows: a client that sees the job done also sees what its alert actions did.
                    job.on_done(job)
                job.progress = 1.0
                job.state = DONE
            else:
                job.state = FAILED
                job.messages.append(("ERROR", "Search was cancelled."))
        except SearchCancelled:
            job.state = FAILED
            job.messages.append(("ERROR", "Search was cancelled."))
        except SplError as exc:
            job.state = FAILED
            job.messages.append(("FATAL", str(exc)))
        except Exception:
            # A job must always end: one left RUNNING would keep every client polling it forever.
            logger.exception("sandbox: search job %s failed", job.sid)
            job.state = FAILED
            job.messages.append(("FATAL", "The search job failed with an internal error."))
        finally:
            job.run_duration = time.monotonic() - started
            job.done.set()

    def _report(self, job: Job, fraction: float) -> None:
        if self.latency <= 0:
            job.progress = min(fraction, 0.99)

    def _pace(self, job: Job, state: str, share: float, start: float, end: float) -> bool:
        """Hold ``state`` for ``share`` of the configured latency; False when the job was stopped meanwhile."""
        job.state = state
        if self.latency <= 0:
            return not job.stop.is_set()
        span = self.latency * share
        began = time.monotonic()
        while (elapsed := time.monotonic() - began) < span:
            job.progress = start + (end - start) * elapsed / span
            if job.stop.wait(min(0.02, span - elapsed)):
                return False
        job.progress = end
        return True
