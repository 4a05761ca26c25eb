#!/usr/bin/env python3
"""``mcp-splunk serve`` with pyinstrument attached, for ``scripts/bench.py``'s profile of the hot path.

The benchmark opens a profiling window with SIGUSR1 (after its warm-up) and closes it with SIGUSR2, so start-up
and shutdown stay out of it; it names the window by writing ``<out>/profile-window`` first.

pyinstrument samples the main thread, which runs the event loop: the MCP transport, the middleware, the tools and
the shaping of results, i.e. everything but the Splunk calls, which the gateway runs on worker threads
(``ConnectionPool.run``). The CPU each kind of thread used in the window is read from the
threads' CPU clocks (``pthread_getcpuclockid``), so the profile's coverage is known.

Each window is written when it closes: ``profile-<name>.html``, ``.txt`` and ``.pyisession`` (pyinstrument's own
views and its session, for ``pyinstrument --load``), and an entry in ``profile.json``: the window, CPU seconds per
kind of thread, the loop's busy time (the window minus its wait in ``select``), and the top functions by self time
and our own functions by inclusive time, as shares of that busy time. pyinstrument measures wall time, so time the
loop spent waiting for the GIL counts where it waited.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import Frame

from mcp_splunk import cli

_OWN = "mcp_splunk/"


def _thread_kind(thread: threading.Thread) -> str:
    if thread is threading.main_thread():
        return "event loop (main thread)"
    if thread.name.startswith("AnyIO worker"):
        return "worker threads (Splunk I/O)"
    return "other threads"


def _cpu(thread: threading.Thread) -> float:
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident or 0))
    except (OSError, OverflowError):  # the thread has ended
        return 0.0
    except AttributeError:  # no per-thread CPU clocks on this platform (macOS): CPU per thread kind reads 0
        return 0.0


class ThreadCpu:
    """CPU seconds per kind of thread between ``begin`` and ``end``."""

    def __init__(self) -> None:
        self.by_kind: defaultdict[str, float] = defaultdict(float)
        self._at_start: dict[int, float] = {}

    def begin(self) -> None:
        self._at_start = {t.ident or 0: _cpu(t) for t in threading.enumerate()}

    def end(self) -> None:
        for thread in threading.enumerate():
            used = _cpu(thread) - self._at_start.get(thread.ident or 0, 0.0)
            self.by_kind[_thread_kind(thread)] += max(0.0, used)


def _name(frame: Frame) -> str:
    return f"{frame.file_path_short}:{frame.function}"


def analyse(root: Frame, top: int = 25) -> dict[str, Any]:
    """Self and inclusive time per function over the loop's busy time (time in ``select`` is idle)."""
    self_time: defaultdict[str, float] = defaultdict(float)
    inclusive: defaultdict[str, float] = defaultdict(float)
    idle = 0.0

    def walk(frame: Frame, ancestors: frozenset[str]) -> None:
        nonlocal idle
        name = _name(frame)
        if frame.function == "select" and "selectors" in (frame.file_path_short or ""):
            idle += frame.time
            return
        if not frame.is_synthetic:
            self_time[name] += frame.total_self_time
            if name not in ancestors:  # a recursive function counts once
                inclusive[name] += frame.time
        for child in frame.children:
            walk(child, ancestors | {name})

    walk(root, frozenset())
    busy = max(root.time - idle, 1e-9)

    def rows(totals: dict[str, float], only_own: bool = False) -> list[dict[str, Any]]:
        ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
        picked = [(k, v) for k, v in ranked if not only_own or k.startswith(_OWN)][:top]
        return [{"function": k, "seconds": round(v, 4), "share_of_busy": round(v / busy, 4)} for k, v in picked]

    return {
        "loop_wall_s": round(root.time, 3),
        "loop_idle_s": round(idle, 3),
        "loop_busy_s": round(busy, 3),
        "top_self": rows(self_time),
        "top_inclusive_own_code": rows(inclusive, only_own=True),
    }


class Windows:
    """Profiling windows opened by SIGUSR1 and closed by SIGUSR2; each is named by the ``profile-window`` file the
    benchmark writes before opening it, and written out as soon as it closes."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.reports: dict[str, Any] = {}
        self._profiler: Profiler | None = None
        self._threads = ThreadCpu()
        self._name = ""
        self._started = 0.0

    def begin(self, *_: object) -> None:
        if self._profiler is not None:
            return
        label = self.out / "profile-window"
        self._name = label.read_text(encoding="utf-8").strip() if label.exists() else f"window-{len(self.reports)}"
        self._threads = ThreadCpu()
        self._threads.begin()
        self._started = time.perf_counter()
        self._profiler = Profiler(interval=0.001, async_mode="disabled")
        self._profiler.start()

    def end(self, *_: object) -> None:
        profiler, self._profiler = self._profiler, None
        if profiler is None:
            return
        session = profiler.stop()
        window = time.perf_counter() - self._started
        self._threads.end()
        stem = self.out / f"profile-{self._name}"
        stem.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
        stem.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
        session.save(str(stem.with_suffix(".pyisession")))
        root = session.root_frame()
        self.reports[self._name] = {
            "window_s": round(window, 3),
            "cpu_s_by_thread_kind": {k: round(v, 3) for k, v in sorted(self._threads.by_kind.items())},
            **(analyse(root) if root is not None else {}),
        }
        (self.out / "profile.json").write_text(json.dumps(self.reports, indent=2), encoding="utf-8")


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--profile-out":
        print("usage: bench_profiled_gateway.py --profile-out DIR [mcp-splunk serve options]", file=sys.stderr)
        return 2
    out = Path(args[1])
    out.mkdir(parents=True, exist_ok=True)
    windows = Windows(out)
    signal.signal(signal.SIGUSR1, windows.begin)
    signal.signal(signal.SIGUSR2, windows.end)
    # uvicorn re-raises the stop signal once it has shut down; with the default handler that would end the
    # process before an open window is written, so it finds a harmless one to restore instead.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    try:
        return cli.main(["serve", *args[2:]])
    finally:
        windows.end()


if __name__ == "__main__":
    raise SystemExit(main())
