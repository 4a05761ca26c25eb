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
from logging.handlers import QueueHandler, QueueListener
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk.logs import RedactingFilter
from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.middleware.request_info import correlation_id, principal

AUDIT_LOGGER = "mcp_splunk.audit"


class AuditSink:
    """Where audit lines go: ``destination`` is "stderr", "stdout" or a file path.

    A thread of its own does the formatting, redaction and writing, so a slow disk or a full stderr pipe never
    stalls the event loop, and the loop spends no write per tool call. ``close()`` writes what is still queued.
    """

    def __init__(self, destination: str) -> None:
        if destination in ("stderr", "stdout"):
            handler: logging.Handler = logging.StreamHandler(sys.stderr if destination == "stderr" else sys.stdout)
        else:
            handler = logging.FileHandler(Path(destination), encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(RedactingFilter())
        queue: SimpleQueue[logging.LogRecord] = SimpleQueue()
        self._handler = handler
        self._listener = QueueListener(queue, handler)
        # Outside logging's registry, and not propagating: audit lines are data, not part of the diagnostic log,
        # and each gateway in a process keeps its own destination.
        self._logger = logging.Logger(AUDIT_LOGGER, logging.INFO)
        self._logger.addHandler(QueueHandler(queue))
        self._listener.start()

    @classmethod
    def open(cls, destination: str) -> AuditSink | None:
        """The sink for an ``MCP_SPLUNK_AUDIT_LOG`` value; None when auditing is off."""
        return None if destination == "off" else cls(destination)

    def write(self, line: dict[str, Any]) -> None:
        self._logger.info(json.dumps(line, separators=(",", ":")))

    def close(self) -> None:
        self._listener.stop()
        self._handler.close()


def _rows(structured: dict[str, Any] | None) -> int | None:
    if not structured:
        return None
    if isinstance(structured.get("paging"), dict):
        return int(structured["paging"].get("count", 0))
    if isinstance(structured.get("rows_returned"), int):
        return int(structured["rows_returned"])
    lists = [value for value in structured.values() if isinstance(value, list)]
    return len(lists[0]) if len(lists) == 1 else None


class AuditMiddleware(Middleware):
    def __init__(self, sink: AuditSink, *, include_spl: bool) -> None:
        self.sink = sink
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
            self.sink.write(line)
