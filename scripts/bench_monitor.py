"""Watching the benchmark's processes and the machine, for ``scripts/bench.py``.

- ``ProcessMonitor``: one server process's CPU seconds (psutil, user + system) and RSS over a block: sampled every
  10 ms for the peak, and the kernel's high-water mark (``VmHWM``) where Linux provides it.
- ``LoadMonitor``: CPU that processes other than the benchmark and its children used over a block. The benchmark
  cannot stop other work on a shared machine, but it reports it next to the figures it affected.
- ``Series``: a measured series taken in several slices, with its monitors' figures merged across them.
- ``machine``: what the figures were measured on (CPU, memory, Python, library versions, the commit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastmcp
import psutil
import splunklib

from bench_load import MB, Sample
from mcp_splunk import __version__

SCRIPTS = Path(__file__).resolve().parent


def high_water_mark(pid: int) -> int | None:
    """The kernel's peak RSS of ``pid`` since it started (``VmHWM``), in bytes; None where unavailable."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


class ProcessMonitor:
    """CPU seconds and RSS of one process over a block: ``with monitor.watch() as stats: ...``."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)

    @contextlib.contextmanager
    def watch(self) -> Iterator[dict[str, Any]]:
        stats: dict[str, Any] = {}
        stop = threading.Event()
        peak = [self.rss()]

        def sample() -> None:
            while not stop.wait(self.interval):
                with contextlib.suppress(psutil.Error):
                    peak[0] = max(peak[0], self.rss())

        sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
        rss_start, cpu_start = peak[0], self.cpu()
        sampler.start()
        try:
            yield stats
        finally:
            stop.set()
            sampler.join()
            rss_end = self.rss()
            hwm = high_water_mark(self.process.pid)
            stats.update(
                cpu_s=round(self.cpu() - cpu_start, 3),
                rss_start_mb=round(rss_start / MB, 1),
                rss_end_mb=round(rss_end / MB, 1),
                peak_rss_mb=round(max(peak[0], rss_end) / MB, 1),
                lifetime_peak_rss_mb=round(hwm / MB, 1) if hwm is not None else None,
            )


class LoadMonitor:
    """CPU used on this machine by processes other than this benchmark and its children over a block.

    Anything else running (another test suite, a build) competes for the same cores and skews every figure; the
    benchmark cannot stop it, but it reports it next to the figures it affected.
    """

    def __init__(self) -> None:
        self.me = psutil.Process()

    def _ours(self) -> float:
        """CPU of this process, its live children, and its children that ended (once waited for)."""
        mine = self.me.cpu_times()
        total = mine.user + mine.system + mine.children_user + mine.children_system
        for process in self.me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return float(total)

    @staticmethod
    def _machine() -> tuple[float, float]:
        """CPU seconds all processes used (user, nice, system), and CPU time the hypervisor took (steal)."""
        times = psutil.cpu_times()
        return float(times.user + getattr(times, "nice", 0.0) + times.system), float(getattr(times, "steal", 0.0))

    @contextlib.contextmanager
    def watch(self) -> Iterator[dict[str, Any]]:
        stats: dict[str, Any] = {}
        began, (busy, steal), ours = time.perf_counter(), self._machine(), self._ours()
        try:
            yield stats
        finally:
            wall = time.perf_counter() - began
            busy_now, steal_now = self._machine()
            foreign = max(0.0, (busy_now - busy) - (self._ours() - ours))
            cores = psutil.cpu_count() or 1
            stats.update(foreign_cpu_s=round(foreign, 2), wall_s=round(wall, 3), cores=cores)
            stats["steal_s"] = round(steal_now - steal, 2)
            stats["foreign_share"] = round(foreign / (wall * cores), 3)


_SUMMED = ("cpu_s", "foreign_cpu_s", "steal_s", "wall_s")
_PEAKS = ("peak_rss_mb", "lifetime_peak_rss_mb")


def merge_stats(total: dict[str, Any], new: dict[str, Any]) -> None:
    """Fold one block's monitor stats into a series' total: CPU and time add up, peaks take the maximum."""
    for key, value in new.items():
        if key in _SUMMED:
            total[key] = round(total.get(key, 0.0) + value, 3)
        elif key in _PEAKS and value is not None:
            total[key] = max(total.get(key) or 0.0, value)
        elif key not in total or not key.endswith("_start_mb"):
            total[key] = value
    if "foreign_cpu_s" in total and total.get("wall_s"):
        total["foreign_share"] = round(total["foreign_cpu_s"] / (total["wall_s"] * total["cores"]), 3)


class Series:
    """One measured series, timed in several slices (rounds): its latencies and its processes' merged stats."""

    def __init__(self) -> None:
        self.sample = Sample()
        self.stats: dict[str, dict[str, Any]] = {}

    @contextlib.contextmanager
    def watching(self, **monitors: ProcessMonitor | LoadMonitor) -> Iterator[None]:
        found: dict[str, dict[str, Any]] = {}
        with contextlib.ExitStack() as stack:
            for name, monitor in monitors.items():
                found[name] = stack.enter_context(monitor.watch())
            yield
        for name, stats in found.items():
            merge_stats(self.stats.setdefault(name, {}), stats)


# -- the machine ----------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "fastmcp": fastmcp.__version__,
        "splunklib": splunklib.__version__,
        "mcp_splunk": __version__,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_state(),
    }


def git_state() -> str:
    """The commit measured, and whether the working tree differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=SCRIPTS, capture_output=True, text=True, timeout=10, check=False)
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", "src"))
    except OSError:
        return "unknown"
    return f"{commit}{' with uncommitted changes in src/' if dirty else ''}" if commit else "unknown"
