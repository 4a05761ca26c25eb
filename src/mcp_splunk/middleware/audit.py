"""``AuditMiddleware``: one structured JSON line per tool call.

Time, principal, correlation id, tool, Splunk target and user, duration, outcome (and error code), row count,
and optionally the SPL. Never credentials and never result data.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import InputRequiredToolResult

from mcp_splunk.logs import redact
from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.middleware.request_info import correlation_id, principal

_LOG = logging.getLogger(__name__)


class AuditSink:
    """Where audit lines go: ``destination`` is "stderr", "stdout" or a file path.

    ``write`` only appends to a deque; a thread of its own serialises, redacts and writes what has queued every
    ``flush_seconds``, or at once when ``batch`` lines wait. So a slow disk or a full pipe never stalls the event
    loop, and a tool call costs neither a write nor a thread wake-up. At most ``max_pending`` lines wait: past that,
    while the destination is stuck, lines are counted and dropped rather than held without bound, and the count is
    logged once writing resumes. ``close()`` writes what is still queued.
    """

    def __init__(
        self, destination: str, *, flush_seconds: float = 0.1, batch: int = 256, max_pending: int = 100_000
    ) -> None:
        self._own_stream = destination not in ("stderr", "stdout")
        if self._own_stream:
            self._stream: IO[str] = Path(destination).open("a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        else:
            self._stream = sys.stderr if destination == "stderr" else sys.stdout
        self._flush_seconds = flush_seconds
        self._batch = batch
        self._max_pending = max_pending
        self._dropped = 0
        self._dropped_lock = threading.Lock()
        self._pending: deque[dict[str, Any]] = deque()
        self._wake = threading.Event()
        self._closing = False
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="mcp-splunk-audit", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, destination: str) -> AuditSink | None:
        """The sink for an ``MCP_SPLUNK_AUDIT_LOG`` value; None when auditing is off."""
        return None if destination == "off" else cls(destination)

    def write(self, line: dict[str, Any]) -> None:
        if len(self._pending) >= self._max_pending:
            with self._dropped_lock:
                self._dropped += 1
            return
        self._pending.append(line)  # deque.append is atomic: no lock on the event loop
        if len(self._pending) >= self._batch:
            self._wake.set()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join()
        if self._own_stream:
            with contextlib.suppress(OSError):  # a broken destination was reported when the write failed
                self._stream.close()

    def _run(self) -> None:
        while not self._closing:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self._drain()
        self._drain()

    def _drain(self) -> None:
        lines: list[str] = []
        while self._pending:
            lines.append(json.dumps(_redacted(self._pending.popleft()), separators=(",", ":")) + "\n")
        if not lines:
            return
        try:
            self._stream.write("".join(lines))
            self._stream.flush()
        except (OSError, ValueError) as exc:  # a full disk, a closed pipe: say so once, keep serving
            if not self._failed:
                _LOG.error("audit lines could not be written (%s); tool calls go on unaudited", exc)
            self._failed = True
        else:
            self._failed = False
            with self._dropped_lock:
                dropped, self._dropped = self._dropped, 0
            if dropped:
                _LOG.error("%d audit lines were dropped while the audit destination was not keeping up", dropped)


def _redacted(value: Any) -> Any:
    """``value`` with every string redacted. Redacting the serialised line instead could turn a JSON literal that
    equals a registered secret (``null``, a number) into a bare ``[secure]``, and the line into invalid JSON."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


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
            elif isinstance(result, InputRequiredToolResult):  # asked the user; the repeated call does the work
                line.update(outcome="input_required")
            else:
                line.update(outcome="ok", rows=_rows(structured))
            return result
        finally:
            line["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
            self.sink.write(line)
