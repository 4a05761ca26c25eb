"""Logging for the gateway: one root handler, and a filter that takes secrets out of every record.

The filter redacts by *value*: every password, token and session key the gateway has seen is registered in
``KNOWN_SECRETS`` (see ``secret.py``) and replaced by ``[secure]`` in the message, its arguments and any
traceback, whichever logger wrote it. Secrets are matched as whole tokens (between spaces, quotes, ``=``, ``&``,
``:`` and the like) by set lookup, so the cost stays linear in the text however many secrets are known; the rare
secret that itself contains such a separator is searched for anywhere. Patterns catch credentials the gateway
never saw as values, such as an ``Authorization`` header or a ``password=`` form field in a third-party message.

``MCP_SPLUNK_LOG_FORMAT=json`` writes each record as one JSON object (``JsonFormatter``), after the same filter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Literal

from opentelemetry import trace

from mcp_splunk.secret import KNOWN_SECRETS, MASK

_PATTERNS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:splunk|bearer|basic)\s+[^\s'\",}]+"),
    re.compile(r"(?i)((?:password|passwd|session_?key|token|secret)['\"]?\s*[:=]\s*['\"]?)[^\s&'\",}<]+"),
    re.compile(r"(?i)(<sessionKey>)[^<]+"),
    re.compile(r"(?i)(x-splunk-(?:password|token|session-key)['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


_TOKEN = re.compile(r"[^\s\"'&=:,;<>()\[\]{}|]+")  # the complement of secret.DELIMITERS


def _redact_values(text: str) -> str:
    """Replace every registered secret: one pass over the tokens, whatever the number of secrets."""
    index = KNOWN_SECRETS.index()
    if index.tokens:
        text = _TOKEN.sub(lambda m: MASK if m.group() in index.tokens else m.group(), text)
    for value in index.others:
        if value in text:
            text = text.replace(value, MASK)
    return text


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return _redact_values(text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the exception or stack if any (as the
    redacting filter left them: never formatted again from ``exc_info``), and the trace and span ids of the span
    the record was written in, to find a line's trace."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    level: str, stream: IO[str] | None = None, log_format: Literal["text", "json"] = "text"
) -> logging.Handler:
    """Route every logger (FastMCP's included) through one redacting handler on the root logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("fastmcp", "mcp", "uvicorn", "uvicorn.error", "uvicorn.access"):
        own = logging.getLogger(name)
        own.handlers = []  # FastMCP installs its own handlers: send its records through ours instead
        own.propagate = True
        own.setLevel(logging.NOTSET)
    # httpx logs every request to Splunk at INFO: a line (and its cost) per REST call, wanted only when debugging.
    wire = logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(wire)
    return handler
