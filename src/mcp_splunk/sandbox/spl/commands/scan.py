"""Reading events from the context: time-range slicing by bisection, newest-first iteration, progress."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import Final

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl.basesearch import index_matches
from mcp_splunk.sandbox.spl.commands.base import RunEnv

PROGRESS_EVERY: Final = 2000
_event_time: Final = attrgetter("time")


def select_indexes(env: RunEnv, patterns: list[str]) -> list[str]:
    """Searchable indexes matching any pattern; the default indexes when there is none."""
    searchable = list(env.ctx.searchable_indexes())
    if not patterns:
        return [name for name in env.ctx.default_indexes() if name in searchable]
    return [name for name in searchable if any(index_matches(pattern, name) for pattern in patterns)]


def time_slices(env: RunEnv, indexes: list[str], earliest: float | None, latest: float | None) -> list[Sequence[Event]]:
    """Per index, its events with earliest <= time < latest (each index's events are sorted by time)."""
    slices = []
    for index in indexes:
        events = env.ctx.events(index)
        low = 0 if earliest is None else bisect_left(events, earliest, key=_event_time)
        high = len(events) if latest is None else bisect_left(events, latest, key=_event_time)
        if high > low:
            slices.append(events[low:high])
    return slices


def newest_first(env: RunEnv, slices: list[Sequence[Event]]) -> Iterator[Event]:
    """Every event of the slices (each newest first), counting scans, reporting progress, honouring stop."""
    total = sum(len(events) for events in slices) or 1
    for events in slices:
        for event in reversed(events):
            env.scanned += 1
            if env.scanned % PROGRESS_EVERY == 0:
                env.check_stop()
                env.progress(min(env.scanned / total, 1.0), env.scanned, env.matched)
            yield event
