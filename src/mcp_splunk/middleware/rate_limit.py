"""``RateLimitMiddleware``: a token bucket of tool calls per gateway principal.

Each principal (the verified token's identity, or the caller's address) gets ``per_minute`` calls per minute
with bursts up to ``burst``. A refused call is a ``rate_limited`` tool error saying when to retry. Buckets are
kept in a bounded map, so many principals cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk._cache import BoundedTTLCache
from mcp_splunk.errors import RateLimited
from mcp_splunk.middleware.request_info import principal
from mcp_splunk.results import error_result


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimitMiddleware(Middleware):
    def __init__(self, per_minute: int, burst: int, *, max_principals: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._buckets: BoundedTTLCache[str, _Bucket] = BoundedTTLCache(max_principals, ttl=3600.0)
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0 when a call may proceed, else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(who) or _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            self._buckets.put(who, bucket)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        """How many principals are being tracked."""
        return len(self._buckets)

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        wait = self.take(principal())
        if wait > 0:
            return error_result(
                RateLimited(
                    f"Too many tool calls: this gateway allows {self.rate * 60:g} per minute per client (bursts of "
                    f"{self.burst}). Retry in {wait:.1f} s."
                )
            )
        return await call_next(context)
