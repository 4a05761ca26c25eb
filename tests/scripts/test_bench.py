"""The benchmark keeps working: ``scripts/bench.py --tiny`` runs every part against real processes and writes every
output with a sane structure. Only counts and shapes are checked, never a time: timings at toy sizes on a loaded
test machine mean nothing (docs/PERFORMANCE.md records a real run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.engines import engine

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))}
TINY_CLIENTS = ("1", "4")  # bench.py's --tiny concurrency levels
CASES = ("direct", "mcp_noop", "gateway")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "bench.py"), "--tiny", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=240,  # a bound, not a speed goal: the tiny run starts a dozen processes
        env=CLEAN_ENV,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_the_tiny_run_writes_json_markdown_chart_and_profile(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = tiny_run
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (out / "results.md").read_text(encoding="utf-8")
    for heading in ("## Targets", "## Latency and throughput", "## /health", "## Memory after", "-row export"):
        assert heading in markdown
    profiles = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    assert set(profiles) == {"list_indexes", "run_search"}
    for name, profile in profiles.items():
        assert profile["top_self"], name
        assert (out / f"profile-{name}.html").stat().st_size > 0
    assert results["machine"]["cpu_count"] >= 1
    assert results["machine"]["python"].startswith("3.")
    assert results["config"]["tiny"] is True


def test_every_case_of_every_operation_completed_calls_without_errors(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    assert set(results["latency"]) == {"list_indexes", "run_search"}
    for op, by_clients in results["latency"].items():
        assert tuple(by_clients) == TINY_CLIENTS, op
        for cell in by_clients.values():
            for case in CASES:
                summary = cell[case]
                assert summary["calls"] > 0, (op, case)
                assert summary["errors"] == 0, (op, case, summary["first_error"])
                assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]
            for alone in ("direct", "mcp_noop"):  # the floors measured back to back, beside the composed ones
                assert cell["isolated"][alone]["calls"] > 0, (op, alone)
                assert cell["isolated"][alone]["errors"] == 0, (op, alone)
            for ratio in (cell["ratio"], cell["isolated"]["ratio"]):
                assert set(ratio) == {"p50", "p95", "p99"}
                assert all(value > 0 for value in ratio.values())
            assert cell["gateway_process"]["cpu_s"] >= 0
            assert cell["gateway_process"]["peak_rss_mb"] > 0
    for cell in results["latency"]["run_search"].values():  # the floor done the gateway's way, for comparison
        assert cell["direct_like_gateway"]["calls"] > 0
        assert cell["direct_like_gateway"]["errors"] == 0


def test_the_composed_floors_alternate_one_call_of_each(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    for op, by_clients in results["latency"].items():
        for clients, cell in by_clients.items():
            # each client ends its slice after a full pair, so both floors made the same number of calls
            assert cell["direct"]["calls"] == cell["mcp_noop"]["calls"], (op, clients)


def test_the_idle_turn_probe_timed_both_floors_after_every_gap(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    idle = results["idle_gap"]
    assert idle["calls_per_gap"] == results["config"]["idle_calls"]
    assert list(idle["direct"]) == list(idle["mcp_noop"]) == ["0", "1", "3", "10"]
    assert all(value > 0 for floor in ("direct", "mcp_noop") for value in idle[floor].values())


def test_the_gateway_audited_every_measured_call_to_its_file(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = tiny_run
    audited = [json.loads(line) for line in (out / "audit-latency.jsonl").read_text(encoding="utf-8").splitlines()]
    for op, by_clients in results["latency"].items():
        measured = sum(cell["gateway"]["calls"] for cell in by_clients.values())
        ok = sum(1 for line in audited if line["tool"] == op and line["outcome"] == "ok")
        assert ok >= measured, op  # warm-up calls are audited too


def test_health_was_probed_while_every_stuck_call_stayed_stuck(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    health = results["health_while_stuck"]
    stuck, probes = results["config"]["stuck_calls"], results["config"]["health_probes"]
    assert health["connections_to_silent_host"] == stuck
    assert health["calls_pending_when_probing_started"] == stuck
    assert health["calls_pending_when_probing_ended"] == stuck
    for state in ("idle", "while_stuck"):
        assert health[state]["calls"] == probes
        assert health[state]["errors"] == 0


def test_each_identity_made_one_successful_call(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    identities = results["identities"]
    count = results["config"]["identities"]
    assert identities["identities"] == count
    assert identities["calls"]["calls"] == count
    assert identities["calls"]["errors"] == 0
    assert [p["identities"] for p in identities["checkpoints"]][-1] == count
    assert identities["pooled_connections_after"] >= count  # one pooled session per identity (pool not yet full)
    assert identities["rss_after_mb"] > 0


def test_both_exports_read_every_row(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    rows = results["config"]["export_rows"]
    export = results["export"]
    assert export["direct"]["rows_seen"] == [rows] * results["config"]["export_repeats"]
    for run in export["gateway"]["runs"]:
        assert run["rows_seen"] == rows
        assert run["complete"] is True
        assert run["rows_returned"] >= 1
    assert export["gateway"]["peak_rss_mb"] > 0
    assert export["direct"]["peak_rss_mb"] > 0
    assert export["time_ratio"] > 0


def test_every_target_is_reported_with_a_status(tiny_run: tuple[Path, dict[str, Any]]) -> None:
    _, results = tiny_run
    targets = results["targets"]
    scaled = "skipped" not in results["scaleout"]  # the scale-out target exists only where it was measured
    assert len(targets) == 8 + scaled
    assert {t["status"] for t in targets} <= {"met", "missed", "not measured"}
    measured = [t for t in targets if t["status"] != "not measured"]
    assert len(measured) == 6 + scaled  # everything but the 32-client ratios, which a tiny run does not reach
    for profile in results["profile"].values():
        assert profile["calls"]["calls"] > 0
        assert profile["calls"]["errors"] == 0


def test_the_scale_out_scenario_spread_calls_over_three_replicas_and_compared_them_with_one(
    tiny_run: tuple[Path, dict[str, Any]],
) -> None:
    engine("redis-server")  # skips (fails under CI=true) where the scenario could not run
    engine("haproxy")
    out, results = tiny_run
    scaleout = results["scaleout"]
    assert tuple(scaleout["levels"]) == ("1", TINY_CLIENTS[-1])
    for cell in scaleout["levels"].values():
        for side in ("single", "single_redis", "balanced"):
            assert cell[side]["calls"] > 0, side
            assert cell[side]["errors"] == 0, (side, cell[side]["first_error"])
        assert cell["added_p50_ms"] == round(cell["balanced"]["p50_ms"] - cell["single"]["p50_ms"], 3)
        assert cell["state_p50_ms"] == round(cell["single_redis"]["p50_ms"] - cell["single"]["p50_ms"], 3)
        assert set(cell["cpu_ms_per_call"]["balanced"]) == {"gw1", "gw2", "gw3", "haproxy", "redis", "total"}
    audited = scaleout["audited_calls"]
    balanced_calls = sum(cell["balanced"]["calls"] for cell in scaleout["levels"].values())
    single_calls = sum(cell["single"]["calls"] for cell in scaleout["levels"].values())
    assert audited["single"] >= single_calls  # warm-ups are audited too
    assert audited["single-redis"] >= sum(cell["single_redis"]["calls"] for cell in scaleout["levels"].values())
    assert sum(audited[f"gw{i}"] for i in (1, 2, 3)) >= balanced_calls
    assert all(audited[f"gw{i}"] > 0 for i in (1, 2, 3))  # round robin reached every replica
    assert "## Scale-out" in (out / "results.md").read_text(encoding="utf-8")
