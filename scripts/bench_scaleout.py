"""The scale-out scenario of ``scripts/bench.py``: one replica called directly against three behind haproxy.

Every side is ``mcp-splunk serve --stateless`` with the same settings, in front of the benchmark's sandbox, and
every call takes a rate-limit token. The single replica keeps its tokens in process; a second single replica keeps
them in a real Redis (``MCP_SPLUNK_STATE_URL``), called directly; the three replicas keep them in that Redis too
and sit behind the shipped ``deploy/haproxy.cfg`` (round robin). The difference between the first and the last at
one client is what scale-out adds to a call, the balancer's hop plus the shared state's round trip (the issue's
target: at most 0.5 ms at p50); the middle side splits it between the two. At more clients the same run
shows what three processes on this machine's cores give over one (throughput, and CPU per call summed over every
process on each side: replicas, haproxy, Redis).

The engines are the tests' own (``tests/engines.py``); without redis-server or haproxy the scenario is skipped
with a note, like ``--no-scaleout``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from bench_load import open_clients, run_mcp, splunk_headers, summarize, token_for
from bench_monitor import LoadMonitor, ProcessMonitor, Series
from mcp_splunk._serving import ServerProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.engines
from tests.engines import RedisServer, haproxy, locate, replica

ENGINES = ("redis-server", "haproxy")
REPLICAS = 3
TOOL = "list_indexes"
# A limit no run reaches: every call still takes a token, in process or in Redis, which is the cost measured.
RATE = {"rate_limit_per_minute": "10000000", "rate_limit_burst": "10000000"}
ADDED_P50_TARGET_MS = 0.5  # issue 12: balancer hop plus state round trip, one client


def missing_engines() -> list[str]:
    return [name for name in ENGINES if locate(name) is None]


@contextmanager
def _started(processes: list[ServerProcess]) -> Iterator[list[ServerProcess]]:
    """Start side by side (each start waits for its ready line), stop all on exit."""
    with ThreadPoolExecutor(len(processes)) as pool:
        list(pool.map(lambda p: p.start(timeout=60), processes))
    try:
        yield processes
    finally:
        with ThreadPoolExecutor(len(processes)) as pool:
            list(pool.map(lambda p: p.stop(), processes))


def _port(process: ServerProcess) -> int:
    return urlsplit(process.url).port or 0


def _audited_calls(directory: Path) -> dict[str, int]:
    """Tool calls each process wrote to its audit file: shows how the balancer spread them."""
    found: Counter[str] = Counter()
    for path in sorted(directory.glob("*.audit")):
        found[path.stem] = sum(1 for line in path.read_text().splitlines() if line.strip())
    return dict(found)


def _cpu_ms_per_call(stats: dict[str, dict[str, Any]], names: list[str], calls: int) -> dict[str, float | None]:
    found: dict[str, float | None] = {
        name: round(stats[name]["cpu_s"] / calls * 1000, 3) if calls else None for name in names
    }
    found["total"] = round(sum(v for v in found.values() if v is not None), 3) if calls else None
    return found


async def scaleout_phase(args: argparse.Namespace, splunk_url: str, out: Path) -> dict[str, Any]:
    directory = (out / "scaleout").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.audit"):
        old.unlink()
    splunk_port = urlsplit(splunk_url).port or 0
    levels = sorted({1, max(args.concurrency)})
    results: dict[str, Any] = {"replicas": REPLICAS, "tool": TOOL, "levels": {}}
    with ExitStack() as stack:
        redis = RedisServer(locate("redis-server")).start()
        stack.callback(redis.stop)
        single = replica(splunk_port, directory, "single", **RATE)
        shared = {"state_url": redis.url, "trusted_proxies": "127.0.0.1", **RATE}
        # The same replica with its rate limits in Redis, called directly: splits the added time into the state's
        # round trip and the balancer's hop.
        stateful = replica(splunk_port, directory, "single-redis", **shared)
        group = [replica(splunk_port, directory, f"gw{i}", **shared) for i in range(1, REPLICAS + 1)]
        stack.enter_context(_started([single, stateful, *group]))
        balanced = stack.enter_context(haproxy([_port(p) for p in group], directory, binary=locate("haproxy")))
        me = psutil.Process()
        balancer_pid = next(p.pid for p in me.children(recursive=True) if p.name() == "haproxy")
        assert redis.process is not None
        monitors: dict[str, dict[str, ProcessMonitor]] = {
            "single": {"single": ProcessMonitor(single.pid)},
            "single_redis": {"single-redis": ProcessMonitor(stateful.pid), "redis": ProcessMonitor(redis.process.pid)},
            "balanced": {
                **{f"gw{i}": ProcessMonitor(p.pid) for i, p in enumerate(group, 1)},
                "haproxy": ProcessMonitor(balancer_pid),
                "redis": ProcessMonitor(redis.process.pid),
            },
        }
        urls = {"single": single.url, "single_redis": stateful.url, "balanced": balanced}
        load = LoadMonitor()
        for clients in levels:
            headers = [splunk_headers(splunk_url, token_for(i)) for i in range(clients)]
            series = {side: Series() for side in urls}
            async with AsyncExitStack() as opened:
                sides = {side: await opened.enter_async_context(open_clients(u, headers)) for side, u in urls.items()}
                for side, side_clients in sides.items():
                    warmup = args.warmup * (REPLICAS if side == "balanced" else 1)
                    await run_mcp(side_clients, TOOL, {}, warmup=warmup, duration=0)
                piece = args.duration / args.rounds
                for _ in range(args.rounds):
                    for side, side_clients in sides.items():
                        with series[side].watching(load=load, **monitors[side]):
                            series[side].sample.merge(await run_mcp(side_clients, TOOL, {}, warmup=0, duration=piece))
            found = {side: summarize(series[side].sample) for side in urls}
            a, r, b = found["single"], found["single_redis"], found["balanced"]
            results["levels"][str(clients)] = {
                **found,
                "added_p50_ms": _difference(b, a),
                "state_p50_ms": _difference(r, a),
                "throughput_ratio": round(b["throughput_per_s"] / a["throughput_per_s"], 2)
                if a["throughput_per_s"]
                else None,
                "cpu_ms_per_call": {
                    side: _cpu_ms_per_call(series[side].stats, list(monitors[side]), found[side]["calls"])
                    for side in urls
                },
                "foreign_load": {side: series[side].stats["load"] for side in urls},
            }
            print(
                f"  {clients} client(s): p50 single {a['p50_ms']} ms, with Redis {r['p50_ms']} ms, {REPLICAS} behind "
                f"haproxy {b['p50_ms']} ms; calls/s {a['throughput_per_s']:.0f} / {r['throughput_per_s']:.0f} / "
                f"{b['throughput_per_s']:.0f}",
                flush=True,
            )
    results["audited_calls"] = _audited_calls(directory)
    return results


def _difference(later: dict[str, Any], base: dict[str, Any]) -> float | None:
    if later["p50_ms"] is None or base["p50_ms"] is None:
        return None
    return round(later["p50_ms"] - base["p50_ms"], 3)


def target(results: dict[str, Any]) -> tuple[float | None, str]:
    """The added p50 at one client, and a note with the throughput gained at the most clients measured."""
    levels = results["levels"]
    most = max(levels, key=int)
    note = f"{most} clients: {levels[most]['throughput_ratio']}× the calls/s of one replica"
    return levels["1"]["added_p50_ms"], note


def markdown(results: dict[str, Any], cores: int) -> list[str]:
    lines = [
        "",
        f"## Scale-out: one replica direct vs {results['replicas']} behind haproxy with Redis state",
        "",
        f"`{results['tool']}` through one `--stateless` replica called directly, then through "
        f"{results['replicas']} replicas behind `deploy/haproxy.cfg` sharing rate limits in Redis; every call "
        f"takes a rate-limit token on both sides. {cores} cores for everything (sandbox, replicas, haproxy, Redis, "
        "clients).",
        "",
        "| clients | single p50/p95/p99 ms | single + Redis p50/p95/p99 ms | balanced p50/p95/p99 ms "
        "| added p50 ms (of which Redis) | calls/s single / + Redis / balanced | CPU ms/call single "
        "| CPU ms/call balanced (replicas + haproxy + Redis) | other load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for clients, cell in results["levels"].items():
        a, r, b = cell["single"], cell["single_redis"], cell["balanced"]
        cpu_b = cell["cpu_ms_per_call"]["balanced"]
        parts = " + ".join(f"{cpu_b[name]:.2f}" for name in cpu_b if name != "total" and cpu_b[name] is not None)
        load = cell["foreign_load"]
        lines.append(
            f"| {clients} | {_ms(a)} | {_ms(r)} | {_ms(b)} | {cell['added_p50_ms']} ({cell['state_p50_ms']}) "
            f"| {a['throughput_per_s']:.0f} / {r['throughput_per_s']:.0f} / {b['throughput_per_s']:.0f} "
            f"| {cell['cpu_ms_per_call']['single']['total']} | {cpu_b['total']} ({parts}) "
            f"| {max(load[side].get('foreign_share', 0) for side in load):.0%} |"
        )
    spread = ", ".join(f"{name} {count}" for name, count in results["audited_calls"].items())
    lines += ["", f"Audited tool calls per process (warm-ups included): {spread}."]
    return lines


def _ms(summary: dict[str, Any]) -> str:
    return " / ".join("—" if summary[f"{p}_ms"] is None else f"{summary[f'{p}_ms']:.2f}" for p in ("p50", "p95", "p99"))
