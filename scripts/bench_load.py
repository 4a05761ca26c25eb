"""Load generation and measurement primitives for ``scripts/bench.py``.

Three ways to perform the same operation, each timed per call with ``time.perf_counter``:

- **direct** (the floor, case a): a splunklib ``Service`` per client identity, all sharing one keep-alive
  ``HttpTransport`` (the gateway's own handler), calling the gateway's own operation functions
  (``mcp_splunk.splunk.operations``) from one thread per client;
- **MCP** (cases b and c): one FastMCP ``Client`` over ``StreamableHttpTransport`` per client, each with its own
  ``X-Splunk-*`` headers, as asyncio tasks in one event loop;
- **composed** (the floors a and b as the gateway composes them): each client alternates one no-op MCP call and
  one direct call, timing each by itself.

Every client warms up (first connection, pooled identity, code paths) before a shared start; then all clients
loop until a shared deadline and every completed call's latency is kept (``bench_monitor`` watches the processes
meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from splunklib import client as splunk_client

from mcp_splunk.secret import Secret
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.transport import HttpTransport
from mcp_splunk.tools import jobs as gateway_jobs

MB = 1024 * 1024
# The gateway's job-polling schedule (mcp_splunk.tools.jobs.wait_for_job), so "wait" is the same operation.
SEARCH_EARLIEST = "-24h"  # the gateway's default window (MCP_SPLUNK_DEFAULT_EARLIEST)
SEARCH_ROWS = 100  # the gateway's default first page (MCP_SPLUNK_DEFAULT_ROW_LIMIT)
JOB_TTL = 600  # the gateway's MCP_SPLUNK_JOB_TTL_SECONDS


def token_for(index: int, prefix: str = "bench") -> str:
    """The bearer token of client identity ``index`` (registered with the sandbox as admin)."""
    return f"{prefix}-{index:05d}"


def splunk_headers(splunk_url: str, token: str) -> dict[str, str]:
    parts = urlsplit(splunk_url)
    return {
        "X-Splunk-Host": parts.hostname or "127.0.0.1",
        "X-Splunk-Port": str(parts.port),
        "X-Splunk-Scheme": parts.scheme,
        "X-Splunk-Token": token,
    }


# -- statistics -------------------------------------------------------------------------------------------
@dataclass
class Sample:
    """What one timed phase produced: per-call latencies (seconds) and failures."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    wall: float = 0.0

    def merge(self, other: Sample) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error
        self.wall += other.wall

    def failed(self, exc: BaseException | str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = str(exc)[:300] if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"[:300]


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of sorted values, linearly interpolated."""
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(sample: Sample) -> dict[str, Any]:
    """Counts, throughput and latency percentiles in ms (None when no call completed)."""
    ordered = sorted(sample.latencies)
    count = len(ordered)

    def ms(value: float) -> float | None:
        return round(value * 1000, 3) if count else None

    return {
        "calls": count,
        "errors": sample.errors,
        "first_error": sample.first_error,
        "wall_s": round(sample.wall, 3),
        "throughput_per_s": round(count / sample.wall, 2) if sample.wall > 0 else 0.0,
        "p50_ms": ms(percentile(ordered, 50)),
        "p95_ms": ms(percentile(ordered, 95)),
        "p99_ms": ms(percentile(ordered, 99)),
        "mean_ms": ms(sum(ordered) / count) if count else None,
        "max_ms": ms(ordered[-1]) if count else None,
    }


def timed_direct(operation: Callable[[splunk_client.Service], object], service: splunk_client.Service) -> float:
    """Seconds one direct ``operation`` took."""
    started = time.perf_counter()
    operation(service)
    return time.perf_counter() - started


# -- the direct floor (case a) ----------------------------------------------------------------------------
class DirectSplunk:
    """splunklib services for the sandbox, one per identity, on one shared keep-alive transport."""

    def __init__(self, splunk_url: str, *, read_timeout: float = 60.0) -> None:
        parts = urlsplit(splunk_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = int(parts.port or 8089)
        self.scheme = parts.scheme
        self.transport = HttpTransport(connect_timeout=5.0, read_timeout=read_timeout)

    def service(self, token: str) -> splunk_client.Service:
        config = SplunkConfig(host=self.host, port=self.port, scheme=self.scheme, token=Secret(token))
        return splunk_client.Service(
            host=self.host,
            port=self.port,
            scheme=self.scheme,
            app="search",
            owner="nobody",
            splunkToken=token,
            autologin=False,
            handler=self.transport.handler_for(config, self.host),
        )

    def close(self) -> None:
        self.transport.close()


def direct_list_indexes(service: splunk_client.Service) -> None:
    ops.read_entries(service, "data/indexes", count=0)


def _create_job(service: splunk_client.Service, query: str, exec_mode: str) -> str:
    return ops.create_job(
        service,
        gateway_jobs.normalize_query(query),  # the SPL as the gateway sends it ("search" prefixed where implied)
        earliest_time=SEARCH_EARLIEST,
        latest_time="now",
        exec_mode=exec_mode,
        timeout=JOB_TTL,
    )


def direct_run_search(service: splunk_client.Service, query: str) -> int:
    """The floor for ``run_search``: create the job in blocking mode (splunkd answers once it is done), then read
    its first page; the rows read. Two requests, no polling: the least a direct client can do."""
    sid = _create_job(service, query, "blocking")
    return len(ops.job_results(service, sid, offset=0, count=SEARCH_ROWS).rows)


def direct_run_search_polling(service: splunk_client.Service, query: str) -> int:
    """Like the gateway: create the job, poll its status on the gateway's schedule (``tools.jobs.POLL_*``), then
    read its first page."""
    sid = _create_job(service, query, "normal")
    delay = gateway_jobs.POLL_FIRST
    while True:
        status = ops.job_status(service, sid)
        if str(status.get("isDone")).lower() in ("1", "true") or str(status.get("isFailed")).lower() in ("1", "true"):
            break
        time.sleep(delay)
        delay = min(delay * gateway_jobs.POLL_BACKOFF, gateway_jobs.POLL_MAX)
    return len(ops.job_results(service, sid, offset=0, count=SEARCH_ROWS).rows)


def run_direct(
    services: Sequence[splunk_client.Service],
    operation: Callable[[splunk_client.Service], object],
    *,
    warmup: int,
    duration: float,
) -> Sample:
    """One thread per service: ``warmup`` untimed calls each, then all call ``operation`` until the deadline."""
    sample = Sample()
    lock = threading.Lock()
    deadline = [0.0, 0.0]  # start, end: set by the barrier's action before any worker is released

    def begin() -> None:
        deadline[0] = time.perf_counter()
        deadline[1] = deadline[0] + duration

    start = threading.Barrier(len(services) + 1, action=begin)

    def worker(service: splunk_client.Service) -> None:
        latencies: list[float] = []
        try:
            for _ in range(warmup):
                operation(service)
        except Exception as exc:
            with lock:
                sample.failed(exc)
        start.wait()
        while time.perf_counter() < deadline[1]:
            try:
                latencies.append(timed_direct(operation, service))
            except Exception as exc:
                with lock:
                    sample.failed(exc)
        with lock:
            sample.latencies.extend(latencies)

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in services]
    for thread in threads:
        thread.start()
    start.wait(timeout=300)  # every worker has warmed up
    for thread in threads:
        thread.join()
    sample.wall = time.perf_counter() - deadline[0]
    return sample


# -- MCP clients (cases b and c) --------------------------------------------------------------------------
def mcp_client(url: str, headers: dict[str, str] | None = None, timeout: float | None = 300.0) -> Client[Any]:
    return Client(StreamableHttpTransport(url, headers=headers or {}), timeout=timeout)


@contextlib.asynccontextmanager
async def open_clients(url: str, headers: Sequence[dict[str, str]]) -> AsyncIterator[list[Client[Any]]]:
    """Connected clients, one per header set (connected concurrently, closed on exit)."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [mcp_client(url, h) for h in headers]
        await asyncio.gather(*(stack.enter_async_context(c) for c in clients))
        yield clients


async def call_ok(client: Client[Any], tool: str, arguments: dict[str, Any]) -> None:
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    if result.is_error:
        text = " ".join(getattr(c, "text", "") for c in result.content)
        raise RuntimeError(f"{tool} failed: {text[:200]}")


async def timed_call(client: Client[Any], tool: str, arguments: dict[str, Any]) -> float:
    """Seconds one successful MCP tool call took (``call_ok`` raises for a failed one)."""
    started = time.perf_counter()
    await call_ok(client, tool, arguments)
    return time.perf_counter() - started


async def run_mcp(
    clients: Sequence[Client[Any]], tool: str, arguments: dict[str, Any], *, warmup: int, duration: float
) -> Sample:
    """Each client warms up with ``warmup`` calls, then all call ``tool`` until a shared deadline."""
    sample = Sample()

    async def warm(c: Client[Any]) -> None:
        for _ in range(warmup):
            try:
                await call_ok(c, tool, arguments)
            except Exception as exc:
                sample.failed(exc)

    await asyncio.gather(*(warm(c) for c in clients))
    began = time.perf_counter()
    deadline = began + duration

    async def loop(c: Client[Any]) -> None:
        while time.perf_counter() < deadline:
            try:
                sample.latencies.append(await timed_call(c, tool, arguments))
            except Exception as exc:
                sample.failed(exc)

    await asyncio.gather(*(loop(c) for c in clients))
    sample.wall = time.perf_counter() - began
    return sample


async def run_composed(
    noop: Sequence[Client[Any]],
    services: Sequence[splunk_client.Service],
    operation: Callable[[splunk_client.Service], object],
    *,
    warmup: int,
    duration: float,
) -> tuple[Sample, Sample]:
    """The floors as a pipeline of the two meets them: client i alternates one ``noop`` call (b) and one direct
    ``operation`` with ``services[i]`` (a, on a worker thread, timed there), until a shared deadline; (a, b).

    Inside a gateway call every Splunk request follows an MCP exchange and every MCP exchange waits on a Splunk
    request, so each process idles between its turns. Measured back to back instead, each process stays busy, and
    on a virtual machine a process that never idles answers faster than any pipeline of the two can
    (docs/PERFORMANCE.md, "Why the floors are measured composed").
    """
    a, b = Sample(), Sample()
    loop = asyncio.get_running_loop()
    pairs = list(zip(noop, services, strict=True))

    async def step(part: Sample, call: Awaitable[float], record: bool) -> None:
        try:
            elapsed = await call
        except Exception as exc:
            part.failed(exc)
            return
        if record:
            part.latencies.append(elapsed)

    with ThreadPoolExecutor(max_workers=len(services), thread_name_prefix="bench-direct") as threads:

        async def pair(client: Client[Any], service: splunk_client.Service, record: bool) -> None:
            await step(b, timed_call(client, "noop", {}), record)
            await step(a, loop.run_in_executor(threads, timed_direct, operation, service), record)

        async def warm(client: Client[Any], service: splunk_client.Service) -> None:
            for _ in range(warmup):
                await pair(client, service, record=False)

        async def measure(client: Client[Any], service: splunk_client.Service, until: float) -> None:
            while time.perf_counter() < until:
                await pair(client, service, record=True)

        await asyncio.gather(*(warm(c, s) for c, s in pairs))
        began = time.perf_counter()
        await asyncio.gather(*(measure(c, s, began + duration) for c, s in pairs))
        a.wall = b.wall = time.perf_counter() - began
    return a, b


async def idle_gap_probe(
    noop: Client[Any],
    service: splunk_client.Service,
    operation: Callable[[splunk_client.Service], object],
    *,
    gaps_ms: Sequence[float],
    calls: int,
) -> dict[str, dict[str, float | None]]:
    """p50 latency (ms) of one direct ``operation`` and one ``noop`` call after the caller idled ``gap`` ms, for
    each gap: what a process's idle turn costs on this machine, the reason the floors are measured composed."""
    found: dict[str, dict[str, float | None]] = {"direct": {}, "mcp_noop": {}}

    def direct_after(gap: float) -> list[float]:
        latencies = []
        for _ in range(calls):
            time.sleep(gap)
            latencies.append(timed_direct(operation, service))
        return latencies

    for gap_ms in gaps_ms:
        gap = gap_ms / 1000
        direct = await asyncio.to_thread(direct_after, gap)
        through_mcp = []
        for _ in range(calls):
            await asyncio.sleep(gap)
            through_mcp.append(await timed_call(noop, "noop", {}))
        key = f"{gap_ms:g}"
        found["direct"][key] = summarize(Sample(direct))["p50_ms"]
        found["mcp_noop"][key] = summarize(Sample(through_mcp))["p50_ms"]
    return found
