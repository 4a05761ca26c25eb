"""``RateLimitMiddleware``: tool calls per gateway principal, counted by this process or by every replica.

The principal is the verified token's identity, or the caller's address (through trusted proxies). A refused call
is a ``rate_limited`` tool error saying when to retry; while the shared state is unreachable and the operator chose
``closed``, a ``state_unavailable`` one. ``mcp_splunk.state.rate_limits`` holds the counting.
"""

from __future__ import annotations

from typing import Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk.errors import RateLimited, StateUnavailable
from mcp_splunk.middleware.request_info import principal
from mcp_splunk.results import error_result
from mcp_splunk.state import RateLimiter


class RateLimitMiddleware(Middleware):
    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        try:
            wait = await self.limiter.take(principal())
        except StateUnavailable as exc:
            return error_result(exc)
        if wait > 0:
            return error_result(
                RateLimited(
                    f"Too many tool calls: this gateway allows {self.limiter.per_minute} per minute per client "
                    f"(bursts of {self.limiter.burst}). Retry in {wait:.1f} s."
                )
            )
        return await call_next(context)
