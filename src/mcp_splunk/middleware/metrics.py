"""``MetricsMiddleware``: counts and times every tool call, and puts its outcome on the call's trace span.

Outermost in the chain, so a call refused by the rate limiter is counted too. The outcome comes from the one
error seam (``results.error_result``'s code): ``policy_violation`` is ``refused``, ``rate_limited`` is
``rate_limited``, any other code ``tool_error``; an exception (an unknown tool, arguments FastMCP rejects) is
``exception``, a cancelled call ``cancelled``.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import InputRequiredToolResult

from mcp_splunk.errors import PolicyViolation, RateLimited
from mcp_splunk.observability.metrics import GatewayMetrics
from mcp_splunk.observability.tracing import mark_outcome

_OUTCOME_OF_CODE = {PolicyViolation.code: "refused", RateLimited.code: "rate_limited"}


def _error_code(result: Any) -> str | None:
    if not getattr(result, "is_error", False):
        return None
    error = (getattr(result, "structured_content", None) or {}).get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else "unknown"


class MetricsMiddleware(Middleware):
    def __init__(self, metrics: GatewayMetrics | None) -> None:
        self.metrics = metrics  # None: metrics are off, the outcome still goes on the span

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        started = time.perf_counter()
        outcome = "exception"
        code = None
        try:
            result = await call_next(context)
            code = _error_code(result)
            if isinstance(result, InputRequiredToolResult):  # a question to the user, not the work itself
                outcome = "input_required"
            else:
                outcome = "ok" if code is None else _OUTCOME_OF_CODE.get(code, "tool_error")
            return result
        except anyio.get_cancelled_exc_class():
            outcome = "cancelled"
            raise
        finally:
            mark_outcome(outcome, code)
            if self.metrics is not None:
                instruments = self.metrics.tool(getattr(context.message, "name", ""))
                instruments.calls[outcome].inc()
                instruments.seconds.observe(time.perf_counter() - started)
