"""The log redactor: known secret values and credential-shaped text never reach a log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from mcp_splunk.logs import configure_logging, redact
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.secret import Secret


@contextmanager
def logging_at(level: str) -> Iterator[io.StringIO]:
    root, wire = logging.getLogger(), [logging.getLogger(name) for name in ("httpx", "httpcore")]
    saved = (root.handlers[:], root.level, [w.level for w in wire])
    buffer = io.StringIO()
    configure_logging(level, stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers, root.level = saved[0], saved[1]
        for logger, was in zip(wire, saved[2], strict=True):
            logger.setLevel(was)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    with logging_at("DEBUG") as buffer:
        yield buffer


def test_a_registered_secret_is_redacted_wherever_it_appears(captured: io.StringIO) -> None:
    Secret("s3cret-value-91xq")
    logging.getLogger("any.library").warning("request failed for %s with body user=x&pw=%s", "bob", "s3cret-value-91xq")
    assert "s3cret-value-91xq" not in captured.getvalue()
    assert "[secure]" in captured.getvalue()


def test_secrets_inside_tracebacks_are_redacted(captured: io.StringIO) -> None:
    Secret("trace-secret-55kd")
    try:
        raise RuntimeError("login with trace-secret-55kd failed")
    except RuntimeError:
        logging.getLogger("mcp_splunk").exception("boom")
    assert "trace-secret-55kd" not in captured.getvalue()
    assert "RuntimeError" in captured.getvalue()


def test_fastmcp_records_go_through_the_redacting_handler(captured: io.StringIO) -> None:
    Secret("fastmcp-secret-71zz")
    logging.getLogger("fastmcp.server").error("tool failed: fastmcp-secret-71zz")
    assert "tool failed: [secure]" in captured.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Splunk 9f0c2a77e1d44b5c",
        "authorization='Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig'",
        "username=admin&password=unregistered-pw",
        "<response><sessionKey>abcdef0123456789</sessionKey></response>",
        '{"X-Splunk-Token": "unregistered-token"}',
    ],
)
def test_credential_shaped_text_is_redacted_even_when_the_value_was_never_seen(text: str) -> None:
    redacted = redact(text)
    assert "[secure]" in redacted
    for fragment in (
        "9f0c2a77e1d44b5c",
        "eyJhbGciOiJSUzI1NiJ9",
        "unregistered-pw",
        "abcdef0123456789",
        "unregistered-token",
    ):
        assert fragment not in redacted


def test_ordinary_text_is_left_alone() -> None:
    text = "search index=web status=500 | stats count by host"
    assert redact(text) == text


def test_a_secret_containing_separators_is_redacted_too(captured: io.StringIO) -> None:
    Secret("pass phrase with spaces & = signs")
    logging.getLogger("x").error('login body: {"password": "pass phrase with spaces & = signs"}')
    assert "pass phrase with spaces" not in captured.getvalue()


def test_redaction_stays_correct_with_thousands_of_known_secrets(captured: io.StringIO) -> None:
    for i in range(5000):
        Secret(f"many-secrets-{i:05d}-zz")
    logging.getLogger("x").info("tokens many-secrets-00042-zz and many-secrets-04999-zz, not many-secrets-x")
    line = captured.getvalue()
    assert "many-secrets-00042-zz" not in line
    assert "many-secrets-04999-zz" not in line
    assert "many-secrets-x" in line


@pytest.mark.parametrize(("level", "logged"), [("INFO", False), ("WARNING", False), ("DEBUG", True)])
def test_each_http_request_to_splunk_is_logged_only_when_debugging(sandbox: Sandbox, level: str, logged: bool) -> None:
    with logging_at(level) as buffer, httpx.Client() as http:
        http.get(f"{sandbox.url}/services/server/info")
    assert ("HTTP Request: GET" in buffer.getvalue()) is logged
