"""The gateway's log, captured for a test module, and checked for the marks of an unhandled error.

``captured_log`` routes every logger through ``mcp_splunk.logs.configure_logging`` into a ``StringIO`` (the
gateway, the sandbox, uvicorn and the test's own HTTP clients alike) and restores the previous handlers after.
``server_errors`` finds what must never appear: a traceback, a record at ERROR or above (uvicorn's "Exception
in ASGI application", FastMCP's "Error calling tool", the sandbox's "unhandled error"), and any HTTP 5xx an
in-process HTTP client received (httpx logs every response's status line at INFO).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from mcp_splunk.logs import configure_logging
from mcp_splunk.sandbox import Sandbox
from tests.support import RunningGateway, running_gateway, sandbox_defaults

_OWN_HANDLERS = ("fastmcp", "mcp", "uvicorn", "uvicorn.error", "uvicorn.access")
_MARKS = re.compile(
    r"^Traceback \(most recent call last\):"  # a formatted exception, at the start of a line
    r"|^\d{4}-\d\d-\d\d [\d:,]+ (?:ERROR|CRITICAL) "  # a record at ERROR or above
    r'|"HTTP/1\.[01] 5\d\d ',  # httpx: HTTP Request: POST http://... "HTTP/1.1 500 Internal Server Error"
    re.MULTILINE,
)


@contextmanager
def captured_log(level: str = "DEBUG") -> Iterator[io.StringIO]:
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in _OWN_HANDLERS)]
    saved = [(logger, logger.handlers[:], logger.propagate, logger.level) for logger in loggers]
    stream = io.StringIO()
    configure_logging(level, stream=stream)
    try:
        yield stream
    finally:
        for logger, handlers, propagate, own_level in saved:
            logger.handlers = handlers
            logger.propagate = propagate
            logger.setLevel(own_level)


def server_errors(text: str) -> list[str]:
    """The lines of ``text`` that show an unhandled error or a 5xx answer (each with the line after it)."""
    lines = text.splitlines()
    return ["\n".join(lines[number : number + 2])[:500] for number, line in enumerate(lines) if _MARKS.search(line)]


class LogWatch:
    """Where a test started reading the log, to check only what that test wrote."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream
        self.start = len(stream.getvalue())

    def since(self) -> str:
        return self.stream.getvalue()[self.start :]

    def assert_clean(self) -> None:
        errors = server_errors(self.since())
        assert not errors, "unhandled errors or 5xx answers in the log:\n" + "\n---\n".join(errors[:5])


# -- fixtures for modules that watch a gateway's log: import them into the module ----------------------------
@pytest.fixture(scope="module")
def log() -> Iterator[io.StringIO]:
    with captured_log() as stream:
        yield stream


@pytest.fixture(scope="module")
def stateful(log: io.StringIO, sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def stateless(log: io.StringIO, sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), stateless=True) as running:
        yield running


@pytest.fixture(autouse=True)
def no_server_errors(log: io.StringIO) -> Iterator[LogWatch]:
    """Fails the test if the gateway logged an unhandled error or answered a 5xx while it ran."""
    watch = LogWatch(log)
    yield watch
    watch.assert_clean()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client
