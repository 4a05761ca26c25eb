"""A bounded LRU cache whose entries also expire after an idle TTL.

Used for state that clients can make grow (stateful-session configs, pooled Splunk connections): both are
capped in size and age, and evicted values are handed to ``on_evict`` (to log a Splunk session out).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedTTLCache(Generic[K, V]):
    def __init__(
        self,
        max_size: int,
        ttl: float,
        on_evict: Callable[[K, V], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self._on_evict = on_evict
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value, refreshing its idle timer; None if absent or expired."""
        now = self._clock()
        evicted: list[tuple[K, V]] = []
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            stamp, value = found
            if now - stamp > self.ttl:
                del self._items[key]
                evicted.append((key, value))
                found = None
            else:
                self._items[key] = (now, value)
                self._items.move_to_end(key)
        self._evicted(evicted)
        return None if found is None else found[1]

    def put(self, key: K, value: V) -> None:
        now = self._clock()
        evicted: list[tuple[K, V]] = []
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None and previous[1] is not value:
                evicted.append((key, previous[1]))
            self._items[key] = (now, value)
            evicted.extend(self._expire(now))
            while len(self._items) > self.max_size:
                old_key, (_, old_value) = self._items.popitem(last=False)
                evicted.append((old_key, old_value))
        self._evicted(evicted)

    def pop(self, key: K) -> V | None:
        with self._lock:
            found = self._items.pop(key, None)
        if found is None:
            return None
        self._evicted([(key, found[1])])
        return found[1]

    def sweep(self) -> int:
        """Drop expired entries now; returns how many."""
        with self._lock:
            evicted = self._expire(self._clock())
        self._evicted(evicted)
        return len(evicted)

    def clear(self) -> None:
        with self._lock:
            evicted = [(k, v) for k, (_, v) in self._items.items()]
            self._items.clear()
        self._evicted(evicted)

    def values(self) -> list[V]:
        with self._lock:
            return [v for _, v in self._items.values()]

    def __len__(self) -> int:
        return len(self._items)

    def _expire(self, now: float) -> list[tuple[K, V]]:
        expired: list[tuple[K, V]] = []
        # Entries are in access order, so expired ones are at the front.
        while self._items:
            key, (stamp, value) = next(iter(self._items.items()))
            if now - stamp <= self.ttl:
                break
            del self._items[key]
            expired.append((key, value))
        return expired

    def _evicted(self, items: list[tuple[K, V]]) -> None:
        if self._on_evict is not None:
            for key, value in items:
                self._on_evict(key, value)
