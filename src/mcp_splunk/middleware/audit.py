"""``AuditMiddleware``: one structured JSON line per tool call.

Time, principal, correlation id, tool, Splunk target and user, duration, outcome (and error code), row count,
and optionally the SPL. Never credentials and never result data.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk.logs import RedactingFilter
from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.middleware.request_info import correlation_id, principal

AUDIT_LOGGER = "mcp_splunk.audit"


def audit_logger(destination: str) -> logging.Logger | None:
    """The audit logger writing bare JSON lines to ``destination``; None when auditing is off."""
    if destination == "off":
        return None
    logger = logging.getLogger(AUDIT_LOGGER)
    logger.handlers = []
    logger.propagate = False  # audit lines are data, not part of the diagnostic log
    logger.setLevel(logging.INFO)
    if destination in ("stderr", "stdout"):
        handler: logging.Handler = logging.StreamHandler(sys.stderr if destination == "stderr" else sys.stdout)
    else:
        handler = logging.FileHandler(Path(destination), encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    return logger


def _rows(structured: dict[str, Any] | None) -> int | None:
    if not structured:
        return None
    if isinstance(structured.get("paging"), dict):
        return int(structured["paging"].get("count", 0))
    for key in ("rows_returned",):
        if isinstance(structured.get(key), int):
            return int(structured[key])
    lists = [value for value in structured.values() if isinstance(value, list)]
    return len(lists[0]) if len(lists) == 1 else None


class AuditMiddleware(Middleware):
    def __init__(self, logger: logging.Logger, *, include_spl: bool) -> None:
        self.logger = logger
        self.include_spl = include_spl

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        started = time.perf_counter()
        line: dict[str, Any] = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": "tool_call"}
        line["tool"] = getattr(context.message, "name", None)
        ctx = context.fastmcp_context
        if ctx is not None:
            line["principal"] = principal()
            line["correlation_id"] = correlation_id(ctx)
            request = await ctx.get_state(STATE_KEY)
            if isinstance(request, RequestConfig) and request.config is not None:
                line["splunk_target"] = request.config.target
                line["splunk_user"] = request.config.principal
        arguments = getattr(context.message, "arguments", None) or {}
        if self.include_spl and isinstance(arguments.get("query"), str):
            line["spl"] = arguments["query"][:4000]
        try:
            result = await call_next(context)
        except BaseException as exc:
            line.update(outcome="exception", error=type(exc).__name__)
            raise
        else:
            structured = getattr(result, "structured_content", None)
            if getattr(result, "is_error", False):
                error = (structured or {}).get("error", {})
                line.update(outcome="error", error_code=error.get("code") if isinstance(error, dict) else None)
            else:
                line.update(outcome="ok", rows=_rows(structured))
            return result
        finally:
            line["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
            self.logger.info(json.dumps(line, separators=(",", ":")))
