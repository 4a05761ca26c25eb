"""Indexes: time-sorted event lists plus the figures data/indexes reports, derived from the data itself."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mcp_splunk.sandbox.events import Event


@dataclass(frozen=True, slots=True)
class IndexSummary:
    event_count: int
    size_bytes: int
    min_time: float | None
    max_time: float | None


class Index:
    """One index. Appends build a new list so that running searches keep a consistent snapshot."""

    def __init__(self, name: str, events: Iterable[Event] = (), settings: dict[str, Any] | None = None) -> None:
        self.name = name
        self.settings: dict[str, Any] = dict(settings or {})  # indexes.conf values set over REST
        self._lock = threading.Lock()
        self._events: list[Event] = sorted(events, key=lambda e: e.time)
        self._summary: IndexSummary | None = None

    @property
    def internal(self) -> bool:
        return self.name.startswith("_")

    @property
    def events(self) -> list[Event]:
        return self._events

    def add(self, events: Iterable[Event]) -> int:
        new = [e for e in events]
        for event in new:
            event.index = self.name
        with self._lock:
            self._events = sorted([*self._events, *new], key=lambda e: e.time)
            self._summary = None
        return len(new)

    def summary(self) -> IndexSummary:
        summary = self._summary
        if summary is None:
            events = self._events
            summary = IndexSummary(
                len(events),
                sum(len(e.raw) for e in events),
                events[0].time if events else None,
                events[-1].time if events else None,
            )
            self._summary = summary
        return summary
