"""Live data: events that keep arriving after the seeded week, so that recent-time searches find something.

The seeded corpus ends at the sandbox's start. From there on every index receives events from the same
generators, hour by hour, drawn in half-minute slots that each hold at least one event, so every index has
events in any minute. An hour's events are
generated from the seed and the hour's start alone, so the data is deterministic whatever the time of the
requests; they become visible (are indexed) once the clock passes their timestamps. Feeding is lazy: the REST
layer calls ``due`` before it serves a request, which costs one comparison until the next event is due.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from mcp_splunk.sandbox.data.app_logs import main_events
from mcp_splunk.sandbox.data.auth_logs import security_events
from mcp_splunk.sandbox.data.clock import HOUR_MS, SECOND_MS, Window
from mcp_splunk.sandbox.data.internal import internal_events
from mcp_splunk.sandbox.data.seeding import derived_rng
from mcp_splunk.sandbox.data.web import web_events
from mcp_splunk.sandbox.events import Event

_NO_INCIDENT = Window(0, 0)
# Half a minute: any window of a minute then holds a whole slot, so "earliest=-1m" always finds events.
SLOT_MS = 30 * SECOND_MS


def _hour_of_events(seed: int, window: Window) -> dict[str, list[Event]]:
    return {
        "main": main_events(derived_rng(seed, f"live/main/{window.start_ms}"), window, _NO_INCIDENT),
        "web": web_events(derived_rng(seed, f"live/web/{window.start_ms}"), window, _NO_INCIDENT),
        "security": security_events(derived_rng(seed, f"live/security/{window.start_ms}"), window, []),
        "_internal": internal_events(derived_rng(seed, f"live/_internal/{window.start_ms}"), window),
    }


class LiveFeed:
    """Events after ``start``, released as ``clock`` passes them."""

    def __init__(self, seed: int, start: float, clock: Callable[[], float] = time.time) -> None:
        self._seed = seed
        self._start_ms = math.floor(start * 1000)
        self._clock = clock
        self._lock = threading.Lock()
        self._released_ms = self._start_ms  # events up to here have been handed out
        self._hour = -1  # the generated hour (0 is the first after start)
        self._pending: dict[str, list[Event]] = {}
        self._next_ms = self._start_ms  # nothing can be due before this instant

    def due(self) -> dict[str, list[Event]]:
        """The events whose time has come since the last call, per index (usually none)."""
        now_ms = math.floor(self._clock() * 1000)
        if now_ms < self._next_ms:
            return {}
        with self._lock:
            out: dict[str, list[Event]] = {}
            while self._released_ms < now_ms:
                hour = (self._released_ms - self._start_ms) // HOUR_MS
                if hour != self._hour:
                    begin = self._start_ms + hour * HOUR_MS
                    self._pending = _hour_of_events(self._seed, Window(begin, begin + HOUR_MS, SLOT_MS))
                    self._hour = hour
                until = min(now_ms, self._start_ms + (hour + 1) * HOUR_MS)
                for index, events in self._pending.items():
                    ready = [e for e in events if round(e.time * 1000) <= until]
                    if ready:
                        out.setdefault(index, []).extend(ready)
                        self._pending[index] = events[len(ready) :]
                self._released_ms = until
            upcoming = [round(events[0].time * 1000) for events in self._pending.values() if events]
            self._next_ms = min(upcoming, default=self._start_ms + (self._hour + 1) * HOUR_MS)
            return out
