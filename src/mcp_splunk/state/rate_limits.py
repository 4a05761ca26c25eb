"""Tool calls per principal: a token bucket in this process, or moving windows in Redis shared by every replica.

In-process (no ``MCP_SPLUNK_STATE_URL``): ``per_minute`` calls per minute with bursts up to ``burst``, buckets in a
bounded map. Shared: the ``limits`` library's moving windows on Redis (atomic per rule, so N replicas together
allow exactly what one would): at most ``burst`` calls in any ``60 * burst / per_minute`` seconds and at most
``per_minute`` in any minute, which is the bucket's long-run rate and burst.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from mcp_splunk._cache import BoundedTTLCache
from mcp_splunk.state.outage import Outage

# A replica waits this long for Redis before taking its failure path: a call must not hang on a dead Redis.
REDIS_TIMEOUT = 0.5


class RateLimiter(Protocol):
    per_minute: int
    burst: int

    async def take(self, who: str) -> float:
        """0 when a call by ``who`` may proceed, else the seconds until one may."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """One process's limiter: a token bucket per principal, in a bounded map."""

    def __init__(self, per_minute: int, burst: int, *, max_principals: int = 10_000) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self._rate = per_minute / 60.0
        self._buckets: BoundedTTLCache[str, _Bucket] = BoundedTTLCache(max_principals, ttl=3600.0)
        self._lock = threading.Lock()

    async def take(self, who: str) -> float:
        return self.take_now(who)

    def take_now(self, who: str) -> float:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(who) or _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self._rate)
            bucket.stamp = now
            self._buckets.put(who, bucket)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self._rate

    def __len__(self) -> int:
        """How many principals are being tracked."""
        return len(self._buckets)


class SharedWindows:
    """Every replica's limiter: moving windows in Redis; during an outage, refuse or use ``fallback``."""

    def __init__(self, url: str, prefix: str, per_minute: int, burst: int, outage: Outage) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self.outage = outage
        self.fallback = TokenBuckets(per_minute, burst)
        window = max(1, math.ceil(60 * burst / per_minute))
        self._rules: tuple[RateLimitItem, ...] = (
            RateLimitItemPerSecond(burst, window),
            RateLimitItemPerMinute(per_minute),
        )
        self._url = url
        self._prefix = f"{prefix}:rate"
        self._limiter: MovingWindowRateLimiter | None = None

    def _strategy(self) -> MovingWindowRateLimiter:
        # Made on first use, inside the serving event loop that its Redis connections then belong to.
        if self._limiter is None:
            storage = RedisStorage(
                self._url,
                wrap_exceptions=True,
                implementation="redispy",
                key_prefix=self._prefix,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
            self._limiter = MovingWindowRateLimiter(storage)
        return self._limiter

    async def take(self, who: str) -> float:
        if not self.outage.should_try():
            return self._without_redis(who)
        try:
            wait = await self._take(who)
        except (StorageError, OSError) as exc:
            self.outage.failed(type(exc).__name__)
            return self._without_redis(who)
        self.outage.recovered()
        return wait

    async def _take(self, who: str) -> float:
        limiter = self._strategy()
        # hit() tests and counts atomically on Redis, one rule at a time; both go out together, so a call waits one
        # round trip, not two. A call refused by one rule has spent a unit of the other, which errs on the side of
        # fewer calls.
        granted = await asyncio.gather(*(limiter.hit(rule, who) for rule in self._rules))
        refused = [rule for rule, ok in zip(self._rules, granted, strict=True) if not ok]
        if not refused:
            return 0.0
        resets = await asyncio.gather(*(limiter.get_window_stats(rule, who) for rule in refused))
        return max(0.1, max(stats.reset_time for stats in resets) - time.time())

    def _without_redis(self, who: str) -> float:
        if self.outage.mode == "closed":
            raise self.outage.refusal("rate limiting")
        return self.fallback.take_now(who)


def build_rate_limiter(
    per_minute: int, burst: int, *, url: str | None, prefix: str, outage: Outage | None
) -> RateLimiter:
    if url is None or outage is None:
        return TokenBuckets(per_minute, burst)
    return SharedWindows(url, prefix, per_minute, burst, outage)
