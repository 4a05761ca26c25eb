"""Event times: a window ending at "now", a diurnal traffic curve, and fast timestamp rendering.

Times are handled as integer milliseconds so that window bounds are exact and every ``Event.time`` has
millisecond precision. Formats that only carry whole seconds (access_combined, syslog) draw their times on a
1000 ms grid, so the timestamp written in ``raw`` is exactly the event's time.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# "HH:MM:" for every minute of the day and "SS" for every second: rendering a time of day is then two table
# look-ups, several times faster than strftime or struct_time attribute access.
_HOURS_MINUTES = tuple(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{s:02d}" for s in range(60))
_MILLIS = tuple(f".{ms:03d}" for ms in range(1000))


@dataclass(frozen=True, slots=True)
class Window:
    """The half-open span ``(start_ms, end_ms]`` that events are drawn from, in slots of ``slot_ms`` that each
    get at least one event (hours for the seeded week; minutes for live data, so every minute has some)."""

    start_ms: int
    end_ms: int
    slot_ms: int = HOUR_MS

    @classmethod
    def ending(cls, now: float, days: int) -> Window:
        # Flooring "now" keeps every drawn time <= now; the start is then strictly after now - days.
        end_ms = math.floor(now * 1000)
        return cls(end_ms - days * DAY_MS, end_ms)


def activity(ms: int, night: float) -> float:
    """Relative traffic at a time of day (UTC): 1.0 at 16:00, ``night`` at 04:00, a smooth curve between."""
    hour = (ms % DAY_MS) / HOUR_MS
    return night + (1.0 - night) * 0.5 * (1.0 - math.cos(2.0 * math.pi * (hour - 4.0) / 24.0))


def spread(rng: random.Random, window: Window, *, peak_per_hour: float, night: float, grid_ms: int) -> list[int]:
    """Sorted event times (ms, multiples of ``grid_ms``) following the diurnal curve.

    The window is cut into slots ending at its end; every one of them, the last included, gets at least one
    event.
    """
    times: list[int] = []
    rnd = rng.random
    slot = window.slot_ms
    for slot_end in range(window.start_ms + slot, window.end_ms + 1, slot):
        lo = (slot_end - slot) // grid_ms
        hi = slot_end // grid_ms
        mean = peak_per_hour * activity(slot_end - slot // 2, night) * (slot / HOUR_MS)
        count = max(1, round(rng.gauss(mean, math.sqrt(mean))))
        times.extend(sorted((lo + 1 + int(rnd() * (hi - lo))) * grid_ms for _ in range(count)))
    return times


def day_renderer(pattern: Callable[[time.struct_time], str], *, millis: bool = False) -> Callable[[int], str]:
    """A function rendering ``ms`` as ``pattern(date) + "HH:MM:SS"`` (``+ ".mmm"`` with ``millis``).

    The date part is computed once per UTC day.
    """
    days: dict[int, str] = {}
    fractions = _MILLIS if millis else ("",) * 1000

    def render(ms: int) -> str:
        day, rest = divmod(ms, DAY_MS)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = pattern(time.gmtime(day * 86400))
        minute, second = divmod(rest // SECOND_MS, 60)
        return prefix + _HOURS_MINUTES[minute] + _SECONDS[second] + fractions[rest % SECOND_MS]

    return render
