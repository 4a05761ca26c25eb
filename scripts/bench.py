#!/usr/bin/env python3
"""The gateway's performance benchmark: what mcp-splunk costs between an agent and Splunk.

Everything runs as separate processes on this machine: the sandbox Splunk (``mcp-splunk sandbox``), the
gateway (``mcp-splunk serve``, a fresh process per scenario), the MCP floor (``bench_noop_server.py``), and this
script as the clients. For each operation (``list_indexes``; a small ``run_search``: job create → wait → first
page) and each number of concurrent clients (1, 8, 32, 64), after a warm-up, over a fixed duration taken in
interleaved slices (so drift and other load fall on every case alike), it measures per-call latency
(p50/p95/p99) and throughput of:

  (a) the floor: a direct, pooled splunklib call to the sandbox (one ``Service`` per client on the gateway's
      keep-alive ``HttpTransport``, one thread per client, the gateway's own operation functions);
  (b) the MCP floor: a no-op FastMCP tool, same FastMCP client, transport and concurrency as (c);
  (c) the gateway's tool call, each client with its own ``X-Splunk-*`` headers (its own bearer token),

and reports c/(a+b), the gateway's CPU seconds and peak RSS (psutil). The a and b of the ratio are timed composed,
each client alternating one b and one a call, as they alternate inside c; each is also timed alone, back to back,
and a probe times both after 0-10 ms of idling (docs/PERFORMANCE.md explains why). Then, each on a fresh gateway:
``/health`` latency while 16 calls wait on a host that never answers; RSS growth after 10,000 distinct
identities; a 100,000-row ``export_search`` against a direct splunklib export (time, peak RSS); and a profile
of the gateway under the (c) workload (pyinstrument on the event loop, CPU per kind of thread); and the scale-out
scenario (``bench_scaleout.py``: one replica direct vs three behind haproxy sharing Redis). CPU used by other
processes on the machine is reported next to every figure it could have skewed.

Results go to ``--out`` (default ``bench-results/``): ``results.json``, ``results.md``, ``results.png`` and the
profile files. ``--tiny`` runs every part at toy sizes in well under a minute (the test suite does this).
docs/PERFORMANCE.md explains every number and records a full run.

    python scripts/bench.py                 # the full run (about 10 minutes on 2 cores)
    python scripts/bench.py --tiny --out /tmp/bench
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_load import (
    DirectSplunk,
    direct_list_indexes,
    direct_run_search,
    direct_run_search_polling,
    idle_gap_probe,
    open_clients,
    run_composed,
    run_direct,
    run_mcp,
    splunk_headers,
    summarize,
    token_for,
)
from bench_monitor import LoadMonitor, ProcessMonitor, Series, machine
from bench_report import write_outputs
from bench_scaleout import missing_engines, scaleout_phase
from bench_scenarios import direct_export, gateway_export, health_while_stuck, identities
from mcp_splunk._serving import ServerProcess, gateway_process
from mcp_splunk.sandbox.runner import SandboxProcess

SCRIPTS = Path(__file__).resolve().parent
SEARCH = "index=web | head 10"
IDLE_GAPS_MS = (0, 1, 3, 10)


@dataclass(frozen=True)
class Operation:
    tool: str  # the gateway's tool (case c)
    arguments: dict[str, Any]
    floor: Callable[[Any], object]  # the same operation with splunklib directly (case a)
    like_gateway: Callable[[Any], object] | None = None  # the direct call done the gateway's way, if it differs


OPERATIONS = {
    "list_indexes": Operation("list_indexes", {}, direct_list_indexes),
    "run_search": Operation(
        "run_search",
        {"query": SEARCH},
        lambda service: direct_run_search(service, SEARCH),
        lambda service: direct_run_search_polling(service, SEARCH),
    ),
}
NOOP_READY = re.compile(r"noop server listening on (?P<url>http\S+)")
# Child servers run with the product's defaults, whatever this shell's SPLUNK_*/MCP_SPLUNK_* say.
# Gateways stop at once between phases: a benchmark measures calls, not the drain after SIGTERM.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))} | {
    "MCP_SPLUNK_DRAIN_SECONDS": "0"
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="output directory")
    parser.add_argument("--tiny", action="store_true", help="toy sizes: a smoke run of every part")
    parser.add_argument("--concurrency", help="comma-separated client counts (default 1,8,32,64)")
    parser.add_argument("--duration", type=float, help="seconds per timed measurement (default 5)")
    parser.add_argument("--warmup", type=int, help="untimed calls per client first (default 3)")
    parser.add_argument("--rounds", type=int, help="interleaved slices each measurement is split into (default 5)")
    parser.add_argument("--identities", type=int, help="distinct identities for the memory test (default 10000)")
    parser.add_argument("--export-rows", type=int, help="rows of the export test (default 100000)")
    parser.add_argument("--export-repeats", type=int, help="timed exports per path (default 3)")
    parser.add_argument("--health-probes", type=int, help="/health requests per state (default 1000)")
    parser.add_argument("--idle-calls", type=int, help="calls per idle gap in the idle-turn probe (default 200)")
    parser.add_argument("--stuck-calls", type=int, default=16, help="calls waiting on the silent host (16)")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile of the gateway")
    parser.add_argument("--no-scaleout", action="store_true", help="skip the scale-out scenario")
    parser.add_argument(
        "--only-scaleout", action="store_true", help="run only the scale-out scenario (and the sandbox it needs)"
    )
    args = parser.parse_args(argv)
    full = {
        "concurrency": "1,8,32,64",
        "duration": 5.0,
        "warmup": 3,
        "rounds": 5,
        "identities": 10_000,
        "export_rows": 100_000,
        "export_repeats": 3,
        "health_probes": 1000,
        "idle_calls": 200,
    }
    tiny = {
        "concurrency": "1,4",
        "duration": 0.4,
        "warmup": 1,
        "rounds": 2,
        "identities": 20,
        "export_rows": 2000,
        "export_repeats": 1,
        "health_probes": 30,
        "idle_calls": 10,
    }
    for name, value in (tiny if args.tiny else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.concurrency = [int(c) for c in str(args.concurrency).split(",")]
    return args


def quiet(process: ServerProcess) -> ServerProcess:
    """Keep only the last lines a server prints (its audit and request log would otherwise pile up here)."""
    process.lines = collections.deque(process.lines, maxlen=500)  # type: ignore[assignment]
    return process


@contextmanager
def start_gateway(out: Path, name: str, env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """A fresh ``mcp-splunk serve`` with the product's defaults (and ``env``), stopped on exit.

    Its audit lines go to ``out/audit-<name>.jsonl``, as in a deployment: on its stderr they would be read by this
    process, and the clients measured here would pay for reading them.
    """
    audit = {"MCP_SPLUNK_AUDIT_LOG": str((out / f"audit-{name}.jsonl").resolve())}
    with gateway_process(env={**CLEAN_ENV, **audit, **(env or {})}) as process:
        yield quiet(process)


def base_url(gateway: ServerProcess) -> str:
    return gateway.url.rsplit("/", 1)[0]


def ratio(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> dict[str, float | None]:
    """c/(a+b) at each percentile (None when a case completed no call)."""
    found: dict[str, float | None] = {}
    for p in ("p50", "p95", "p99"):
        parts = (a[f"{p}_ms"], b[f"{p}_ms"], c[f"{p}_ms"])
        found[p] = None if None in parts else round(parts[2] / (parts[0] + parts[1]), 3)
    return found


async def measure_clients(
    args: argparse.Namespace, services: list[Any], noop: list[Any], mcp: list[Any], monitors: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Every series at one concurrency: warmed up once, then timed in ``args.rounds`` interleaved slices, so that
    drift and other load on the machine fall on the floors and on the gateway alike.

    The floors of the ratio are measured composed (``run_composed``: each client alternates b and a); each is also
    measured on its own, back to back, as the isolated floors."""
    load: LoadMonitor = monitors["load"]
    await run_mcp(noop, "noop", {}, warmup=args.warmup, duration=0)
    for spec in OPERATIONS.values():
        for floor in filter(None, (spec.floor, spec.like_gateway)):
            await asyncio.to_thread(run_direct, services, floor, warmup=args.warmup, duration=0)
        await run_composed(noop, services, spec.floor, warmup=args.warmup, duration=0)
        await run_mcp(mcp, spec.tool, spec.arguments, warmup=args.warmup, duration=0)
    series: dict[str, Series] = collections.defaultdict(Series)
    piece = args.duration / args.rounds
    for _ in range(args.rounds):
        with series["noop"].watching(noop=monitors["noop"], load=load):
            series["noop"].sample.merge(await run_mcp(noop, "noop", {}, warmup=0, duration=piece))
        for op, spec in OPERATIONS.items():
            floors: dict[str, Callable[[Any], object] | None] = {
                f"direct {op}": spec.floor,
                f"like_gateway {op}": spec.like_gateway,
            }
            for name, direct_call in floors.items():
                if direct_call is not None:
                    # bench: this process's own CPU, which is the direct call's client-side work
                    with series[name].watching(sandbox=monitors["sandbox"], bench=monitors["bench"], load=load):
                        series[name].sample.merge(
                            await asyncio.to_thread(run_direct, services, direct_call, warmup=0, duration=piece)
                        )
            composed_a, composed_b = series[f"composed direct {op}"], series[f"composed noop {op}"]
            with composed_a.watching(load=load):
                a, b = await run_composed(noop, services, spec.floor, warmup=0, duration=piece)
            composed_a.sample.merge(a)
            composed_b.sample.merge(b)
            gateway = series[f"gateway {op}"]
            with gateway.watching(gateway=monitors["gateway"], sandbox=monitors["sandbox"], load=load):
                gateway.sample.merge(await run_mcp(mcp, spec.tool, spec.arguments, warmup=0, duration=piece))
    cells = {}
    for op, spec in OPERATIONS.items():
        a, b, c = series[f"composed direct {op}"], series[f"composed noop {op}"], series[f"gateway {op}"]
        cell: dict[str, Any] = {"direct": summarize(a.sample), "mcp_noop": summarize(b.sample)}
        cell["gateway"] = summarize(c.sample)
        cell["ratio"] = ratio(cell["direct"], cell["mcp_noop"], cell["gateway"])
        alone_a, alone_b = summarize(series[f"direct {op}"].sample), summarize(series["noop"].sample)
        cell["isolated"] = {
            "direct": alone_a,
            "mcp_noop": alone_b,
            "ratio": ratio(alone_a, alone_b, cell["gateway"]),
        }
        if spec.like_gateway is not None:
            cell["direct_like_gateway"] = summarize(series[f"like_gateway {op}"].sample)
            cell["ratio_vs_direct_like_gateway"] = ratio(cell["direct_like_gateway"], alone_b, cell["gateway"])
        cell["gateway_process"] = c.stats["gateway"]
        cell["noop_process"] = series["noop"].stats["noop"]
        cell["direct_process"] = series[f"direct {op}"].stats["bench"]
        cell["sandbox_cpu_s"] = {
            "direct": series[f"direct {op}"].stats["sandbox"]["cpu_s"],
            "gateway": c.stats["sandbox"]["cpu_s"],
        }
        # CPU that other processes on this machine used meanwhile (0 on a quiet machine)
        cell["foreign_load"] = {
            "composed floors": a.stats["load"],
            "direct": series[f"direct {op}"].stats["load"],
            "mcp_noop": series["noop"].stats["load"],
            "gateway": c.stats["load"],
        }
        cells[op] = cell
    return cells


async def latency_phase(
    args: argparse.Namespace, splunk_url: str, noop_url: str, gateway: ServerProcess, monitors: dict[str, Any]
) -> dict[str, Any]:
    """(a), (b) and (c) for every operation at each concurrency."""
    direct = DirectSplunk(splunk_url)
    results: dict[str, dict[str, Any]] = {op: {} for op in OPERATIONS}
    try:
        for clients in args.concurrency:
            headers = [splunk_headers(splunk_url, token_for(i)) for i in range(clients)]
            services = [direct.service(token_for(i)) for i in range(clients)]
            print(f"  {clients} client(s)", flush=True)
            async with open_clients(noop_url, [{}] * clients) as noop, open_clients(gateway.url, headers) as mcp:
                cells = await measure_clients(args, services, noop, mcp, monitors)
            for op, cell in cells.items():
                results[op][str(clients)] = cell
                p50 = [cell[key]["p50_ms"] for key in ("direct", "mcp_noop", "gateway")]
                print(f"    {op}: p50 a, b, c = {p50} ms; c/(a+b) = {cell['ratio']['p50']}", flush=True)
    finally:
        direct.close()
    return results


async def idle_gap_phase(args: argparse.Namespace, splunk_url: str, noop_url: str) -> dict[str, Any]:
    """One client: each floor's latency after its caller idled 0 to 10 ms (why the floors are measured composed)."""
    direct = DirectSplunk(splunk_url)
    try:
        service = direct.service(token_for(0))
        async with open_clients(noop_url, [{}]) as (noop,):
            await run_mcp([noop], "noop", {}, warmup=args.warmup, duration=0)
            found = await idle_gap_probe(
                noop, service, direct_list_indexes, gaps_ms=IDLE_GAPS_MS, calls=args.idle_calls
            )
    finally:
        direct.close()
    return {"operation": "list_indexes", "calls_per_gap": args.idle_calls, **found}


async def _written_profile(path: Path, window: str, timeout: float = 60.0) -> dict[str, Any] | None:
    """The entry the profiled gateway writes for ``window`` once it closes (polled, with a deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if window in found:
                return dict(found[window])
        await asyncio.sleep(0.05)
    return None


async def profile_phase(args: argparse.Namespace, splunk_url: str, out: Path) -> dict[str, Any]:
    """The (c) workload against a gateway run under pyinstrument: one profiling window per operation, after the
    warm-up."""
    command = [sys.executable, str(SCRIPTS / "bench_profiled_gateway.py"), "--profile-out", str(out), "--port", "0"]
    env = {**CLEAN_ENV, "MCP_SPLUNK_AUDIT_LOG": str((out / "audit-profile.jsonl").resolve())}
    process = quiet(ServerProcess(command, re.compile(r"gateway listening on (?P<url>http\S+)"), env=env))
    clients = min(8, max(args.concurrency))
    duration = args.duration * 2
    written = out / "profile.json"
    written.unlink(missing_ok=True)
    reports: dict[str, Any] = {}
    with process:
        headers = [splunk_headers(splunk_url, token_for(i)) for i in range(clients)]
        async with open_clients(process.url, headers) as mcp:
            for op, spec in OPERATIONS.items():
                await run_mcp(mcp, spec.tool, spec.arguments, warmup=args.warmup, duration=0)
                (out / "profile-window").write_text(op, encoding="utf-8")
                os.kill(process.pid, signal.SIGUSR1)  # the window opens
                sample = await run_mcp(mcp, spec.tool, spec.arguments, warmup=0, duration=duration)
                os.kill(process.pid, signal.SIGUSR2)  # and closes: the gateway writes this window's files
                report = await _written_profile(written, op)
                if report is None:
                    raise RuntimeError(f"the profiled gateway wrote no profile for {op}:\n" + "".join(process.lines))
                report["calls"] = summarize(sample)
                report["workload"] = (
                    f"{clients} clients calling {spec.tool} for {duration:g} s after a warm-up; "
                    f"profile-{op}.html, .txt and .pyisession hold the whole tree."
                )
                reports[op] = report
    (out / "profile-window").unlink(missing_ok=True)
    return reports


def settings(args: argparse.Namespace) -> dict[str, Any]:
    names = ("tiny", "concurrency", "duration", "warmup", "rounds", "identities", "export_rows", "export_repeats")
    return {
        **{name: getattr(args, name) for name in names},
        "health_probes": args.health_probes,
        "idle_calls": args.idle_calls,
        "stuck_calls": args.stuck_calls,
        "search": SEARCH,
    }


async def scenarios(args: argparse.Namespace, splunk_url: str) -> dict[str, Any]:
    """/health while stuck, memory over identities and the large export, each on a fresh gateway."""
    results: dict[str, Any] = {}
    load = LoadMonitor()
    print(f"/health while {args.stuck_calls} calls wait on a silent host", flush=True)
    # The stuck calls must outlast the measurement: a read timeout far above it.
    with (
        start_gateway(args.out, "health", env={"MCP_SPLUNK_READ_TIMEOUT": "600"}) as gateway,
        load.watch() as health_load,
    ):
        results["health_while_stuck"] = await health_while_stuck(
            gateway.url, base_url(gateway), stuck=args.stuck_calls, probes=args.health_probes
        )
    results["health_while_stuck"]["foreign_load"] = health_load
    print(f"memory over {args.identities:,} identities", flush=True)
    with start_gateway(args.out, "identities") as gateway, load.watch() as identities_load:
        results["identities"] = await identities(
            gateway.url,
            base_url(gateway),
            splunk_url,
            ProcessMonitor(gateway.pid),
            count=args.identities,
            concurrency=32,
            warm_identities=max(args.concurrency),
        )
    results["identities"]["foreign_load"] = identities_load
    print(f"{args.export_rows:,}-row export: direct, then through the gateway", flush=True)
    sizes = {"rows": args.export_rows, "repeats": args.export_repeats, "warmup_rows": min(1000, args.export_rows)}
    with load.watch() as export_load:
        direct = direct_export(splunk_url, **sizes)
        with start_gateway(
            args.out, "export", env={"MCP_SPLUNK_MAX_EXPORT_ROWS": str(max(args.export_rows, 100_000))}
        ) as gateway:
            through = await gateway_export(gateway.url, splunk_url, ProcessMonitor(gateway.pid), **sizes)
    time_ratio = round(through["seconds_median"] / direct["seconds_median"], 3)
    results["export"] = {"gateway": through, "direct": direct, "time_ratio": time_ratio, "foreign_load": export_load}
    return results


async def _scaleout(args: argparse.Namespace, splunk_url: str) -> dict[str, Any]:
    missing = missing_engines()
    if missing:
        print(f"scale-out scenario skipped: {', '.join(missing)} not installed", flush=True)
        return {"skipped": f"{', '.join(missing)} not installed"}
    print("scale-out: one replica direct vs three behind haproxy with Redis state", flush=True)
    return await scaleout_phase(args, splunk_url, args.out)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "config": settings(args)}
    tokens = [token_for(i) for i in range(max(args.concurrency))]
    tokens += [token_for(i, "id") for i in range(args.identities)]
    print(f"starting the sandbox ({len(tokens)} tokens) and the MCP floor server", flush=True)
    noop_command = [sys.executable, str(SCRIPTS / "bench_noop_server.py"), "--port", "0"]
    with ExitStack() as stack:
        # A frozen corpus: every run searches the same events.
        frozen = ["--no-live-data", *(a for t in tokens for a in ("--token", f"{t}=admin"))]
        sandbox = stack.enter_context(SandboxProcess(extra_args=frozen))
        noop = quiet(stack.enter_context(ServerProcess(noop_command, NOOP_READY, env=CLEAN_ENV)))
        try:
            if args.only_scaleout:
                results["scaleout"] = await _scaleout(args, sandbox.url)
                return results
            print("latency: (a) direct, (b) MCP noop, (c) gateway", flush=True)
            with start_gateway(args.out, "latency") as gateway:
                monitors = {
                    "gateway": ProcessMonitor(gateway.pid),
                    "noop": ProcessMonitor(noop.pid),
                    "sandbox": ProcessMonitor(sandbox.pid),
                    "bench": ProcessMonitor(os.getpid()),
                    "load": LoadMonitor(),
                }
                results["latency"] = await latency_phase(args, sandbox.url, noop.url, gateway, monitors)
            print("the floors after an idle turn", flush=True)
            results["idle_gap"] = await idle_gap_phase(args, sandbox.url, noop.url)
            results.update(await scenarios(args, sandbox.url))
            if not args.no_profile:
                print("profiling the gateway under the (c) workload", flush=True)
                results["profile"] = await profile_phase(args, sandbox.url, args.out)
            if not args.no_scaleout:
                results["scaleout"] = await _scaleout(args, sandbox.url)
        except BaseException:
            print("the sandbox's last output:\n" + "".join(list(sandbox.lines)[-40:]), file=sys.stderr)
            raise
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = asyncio.run(run(args))
    paths = write_outputs(results, args.out)
    for target in results["targets"]:
        print(
            f"  [{target['status']}] {target['target']}: {target['measured']} {target['unit']} "
            f"(limit {target['limit']:g})"
        )
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
