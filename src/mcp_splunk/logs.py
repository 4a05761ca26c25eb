"""Logging for the gateway: one root handler, and a filter that takes secrets out of every record.

The filter redacts by *value*: every password, token and session key the gateway has seen is registered in
``KNOWN_SECRETS`` (see ``secret.py``) and replaced by ``[secure]`` wherever it appears (message, arguments,
traceback), whichever logger wrote it. Patterns catch credentials the gateway never saw as values, such as an
``Authorization`` header or a ``password=`` form field quoted in a third-party message.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO

from mcp_splunk.secret import KNOWN_SECRETS, MASK

_PATTERNS = (
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?:splunk|bearer|basic)\s+[^\s'\",}]+"),
    re.compile(r"(?i)((?:password|passwd|session_?key|token|secret)['\"]?\s*[:=]\s*['\"]?)[^\s&'\",}<]+"),
    re.compile(r"(?i)(<sessionKey>)[^<]+"),
    re.compile(r"(?i)(x-splunk-(?:password|token|session-key)['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _ValueRedactor:
    """Replaces every known secret value; the pattern is rebuilt only when new secrets were registered."""

    def __init__(self) -> None:
        self._version = -1
        self._pattern: re.Pattern[str] | None = None

    def __call__(self, text: str) -> str:
        version, values = KNOWN_SECRETS.snapshot()
        if version != self._version:
            ordered = sorted(values, key=len, reverse=True)  # longest first, so no secret is half-replaced
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None
            self._version = version
        return self._pattern.sub(MASK, text) if self._pattern is not None else text


_redact_values = _ValueRedactor()


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


def configure_logging(level: str, stream: IO[str] | None = None) -> logging.Handler:
    """Route every logger (FastMCP's included) through one redacting handler on the root logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("fastmcp", "mcp", "uvicorn", "uvicorn.error", "uvicorn.access"):
        own = logging.getLogger(name)
        own.handlers = []  # FastMCP installs its own handlers: send its records through ours instead
        own.propagate = True
        own.setLevel(logging.NOTSET)
    return handler
