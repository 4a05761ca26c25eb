"""The gateway's resilience and memory scenarios for ``scripts/bench.py``, each on a fresh gateway process.

- ``health_while_stuck``: ``GET /health`` latency while N tool calls wait on a Splunk that accepted their
  connections and never answers (``SilentListener``); the gateway's read timeout is set above the measurement,
  and the calls are checked to be still pending when the last probe returns.
- ``identities``: RSS of the gateway after calls from many distinct identities (one FastMCP client and one
  ``list_indexes`` per distinct ``X-Splunk-Token``), with checkpoints along the way.
- ``gateway_export`` / ``direct_export``: a large ``export_search`` through the gateway against the direct
  splunklib export (``bench_direct_export.py``, in its own process), time and peak RSS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench_direct_export import export_query
from bench_load import (
    MB,
    Sample,
    call_ok,
    mcp_client,
    open_clients,
    splunk_headers,
    summarize,
    token_for,
)
from bench_monitor import ProcessMonitor
from mcp_splunk._serving import listen_socket, socket_port

SCRIPTS = Path(__file__).resolve().parent


class SilentListener:
    """A loopback listener that accepts connections and never answers (a hung splunkd)."""

    def __init__(self) -> None:
        self.sock = listen_socket("127.0.0.1", 0)
        self.connections = 0
        self._held: list[socket.socket] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._serve, name="silent-listener", daemon=True).start()

    @property
    def port(self) -> int:
        return socket_port(self.sock)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._changed:
                self._held.append(conn)
                self.connections += 1
                self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.connections >= count, timeout)

    def close(self) -> None:
        self.sock.close()
        with self._changed:
            for conn in self._held:
                conn.close()


async def _probe_health(http: httpx.AsyncClient, url: str, probes: int) -> Sample:
    sample = Sample()
    began = time.perf_counter()
    for _ in range(probes):
        started = time.perf_counter()
        response = await http.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code == 200:
            sample.latencies.append(elapsed)
        else:
            sample.failed(f"HTTP {response.status_code}")
    sample.wall = time.perf_counter() - began
    return sample


async def health_while_stuck(mcp_url: str, base_url: str, *, stuck: int, probes: int) -> dict[str, Any]:
    listener = SilentListener()
    health_url = base_url + "/health"
    async with httpx.AsyncClient(timeout=30.0) as http:
        await _probe_health(http, health_url, 20)  # warm-up: connection, code paths
        idle = await _probe_health(http, health_url, probes)
        target = splunk_headers(f"http://127.0.0.1:{listener.port}", "")

        async def stuck_call(index: int) -> None:
            headers = {**target, "X-Splunk-Token": token_for(index, "stuck")}
            async with mcp_client(mcp_url, headers) as client:
                await call_ok(client, "list_indexes", {})

        tasks = [asyncio.create_task(stuck_call(i)) for i in range(stuck)]
        try:
            reached = await asyncio.to_thread(listener.wait_for, stuck, 60.0)
            pending_before = sum(not t.done() for t in tasks)
            loaded = await _probe_health(http, health_url, probes)
            pending_after = sum(not t.done() for t in tasks)
        finally:
            for task in tasks:
                task.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30.0)
            listener.close()
    return {
        "stuck_calls": stuck,
        "connections_to_silent_host": listener.connections,
        "all_calls_reached_the_host": reached,
        "calls_pending_when_probing_started": pending_before,
        "calls_pending_when_probing_ended": pending_after,
        "idle": summarize(idle),
        "while_stuck": summarize(loaded),
    }


async def identities(
    mcp_url: str,
    base_url: str,
    splunk_url: str,
    monitor: ProcessMonitor,
    *,
    count: int,
    concurrency: int,
    warm_identities: int,
) -> dict[str, Any]:
    """RSS growth over ``count`` new identities, after a warm-up by ``warm_identities`` of the benchmark's clients."""
    warm_headers = [splunk_headers(splunk_url, token_for(i)) for i in range(warm_identities)]
    async with open_clients(mcp_url, warm_headers) as clients:
        for _ in range(2):
            await asyncio.gather(*(call_ok(c, "list_indexes", {}) for c in clients))
    rss_before = monitor.rss()
    cpu_before = monitor.cpu()
    checkpoints: list[dict[str, Any]] = [{"identities": 0, "rss_mb": round(rss_before / MB, 1), "elapsed_s": 0.0}]
    step = max(1, count // 10)
    began = time.perf_counter()
    sample = Sample()
    limit = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with limit:
            started = time.perf_counter()
            try:
                async with mcp_client(mcp_url, splunk_headers(splunk_url, token_for(index, "id"))) as client:
                    await call_ok(client, "list_indexes", {})
            except Exception as exc:
                sample.failed(exc)
                return
            sample.latencies.append(time.perf_counter() - started)

    for start in range(0, count, step):
        chunk_began = time.perf_counter()
        done_before = len(sample.latencies)
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + step))))
        chunk = sample.latencies[done_before:]
        checkpoint = {
            "identities": min(count, start + step),
            "rss_mb": round(monitor.rss() / MB, 1),
            "elapsed_s": round(time.perf_counter() - began, 2),
            "chunk_seconds": round(time.perf_counter() - chunk_began, 2),
            "chunk_mean_ms": round(statistics.fmean(chunk) * 1000, 2) if chunk else None,
        }
        checkpoints.append(checkpoint)
        print(f"    {checkpoint['identities']:,} identities: RSS {checkpoint['rss_mb']} MB", flush=True)
    sample.wall = time.perf_counter() - began
    rss_after = monitor.rss()
    async with httpx.AsyncClient(timeout=30.0) as http:
        health = (await http.get(base_url + "/health")).json()
    return {
        "identities": count,
        "concurrency": concurrency,
        "calls": summarize(sample),
        "rss_before_mb": round(rss_before / MB, 1),
        "rss_after_mb": round(rss_after / MB, 1),
        "rss_growth_mb": round((rss_after - rss_before) / MB, 1),
        "gateway_cpu_s": round(monitor.cpu() - cpu_before, 2),
        "pooled_connections_after": health.get("pooled_connections"),
        "bound_sessions_after": health.get("bound_sessions"),
        "checkpoints": checkpoints,
    }


async def gateway_export(
    mcp_url: str, splunk_url: str, monitor: ProcessMonitor, *, rows: int, repeats: int, warmup_rows: int
) -> dict[str, Any]:
    headers = splunk_headers(splunk_url, token_for(0))
    runs: list[dict[str, Any]] = []
    async with mcp_client(mcp_url, headers, timeout=600.0) as client:
        await client.call_tool("export_search", {"query": export_query(warmup_rows), "max_rows": warmup_rows})
        rss_before = monitor.rss()
        for _ in range(repeats):
            with monitor.watch() as stats:
                began = time.perf_counter()
                result = await client.call_tool(
                    "export_search", {"query": export_query(rows), "max_rows": rows, "wait_seconds": 300}
                )
                seconds = time.perf_counter() - began
            data = result.structured_content or {}
            runs.append(
                {
                    "seconds": round(seconds, 3),
                    "rows_seen": data.get("rows_seen"),
                    "rows_returned": data.get("rows_returned"),
                    "complete": data.get("complete"),
                    "stopped": data.get("stopped"),
                    **stats,
                }
            )
    return {
        "rows": rows,
        "rss_before_mb": round(rss_before / MB, 1),
        "seconds_median": round(statistics.median(r["seconds"] for r in runs), 3),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "lifetime_peak_rss_mb": runs[-1]["lifetime_peak_rss_mb"],
        "runs": runs,
    }


def direct_export(splunk_url: str, *, rows: int, repeats: int, warmup_rows: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(SCRIPTS / "bench_direct_export.py"),
        "--url",
        splunk_url,
        "--token",
        token_for(0),
        "--rows",
        str(rows),
        "--repeats",
        str(repeats),
        "--warmup-rows",
        str(warmup_rows),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"direct export failed:\n{done.stdout}\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["rows"] = rows
    report["seconds_median"] = round(statistics.median(report["seconds"]), 3)
    return report
