"""``MCP_SPLUNK_LOG_FORMAT=json``: every log line one JSON object, still through the redacting filter."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from mcp_splunk.logs import configure_logging
from mcp_splunk.secret import Secret
from mcp_splunk.settings import InvalidSettings, load_settings


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer, log_format="json")
    try:
        yield buffer
    finally:
        root.handlers, root.level = saved


def parsed(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_every_logger_writes_one_json_object_per_line(json_lines: io.StringIO) -> None:
    logging.getLogger("mcp_splunk.pool").info("pooled %d sessions", 3)
    logging.getLogger("uvicorn.error").warning("a line\nacross two lines")
    logging.getLogger("fastmcp.server").error("from FastMCP")
    first, second, third = parsed(json_lines)
    assert first["level"] == "INFO"
    assert first["logger"] == "mcp_splunk.pool"
    assert first["message"] == "pooled 3 sessions"
    assert str(first["time"]).endswith("+00:00")
    assert second["message"] == "a line\nacross two lines"
    assert (third["logger"], third["level"]) == ("fastmcp.server", "ERROR")
    assert "trace_id" not in first  # written outside any span


def test_a_secret_is_redacted_in_json_lines_too(json_lines: io.StringIO) -> None:
    Secret("json-secret-value-83ka")
    logging.getLogger("any.library").warning("login failed for bob with %s", "json-secret-value-83ka")
    try:
        raise RuntimeError("token=json-secret-value-83ka refused")
    except RuntimeError:
        logging.getLogger("mcp_splunk").exception("call failed with Authorization: Bearer abcdef0123456789")
    warning, error = parsed(json_lines)
    assert "json-secret-value-83ka" not in json_lines.getvalue()
    assert warning["message"] == "login failed for bob with [secure]"
    assert "abcdef0123456789" not in str(error["message"])
    assert "RuntimeError: token=[secure]" in str(error["exception"])


def test_bad_observability_settings_name_their_variable_and_never_echo_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_SPLUNK_LOG_FORMAT", "yaml")
    monkeypatch.setenv("MCP_SPLUNK_METRICS_TOKEN", "short-t0ken")
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    lines = refused.value.lines
    assert any(line.startswith("MCP_SPLUNK_LOG_FORMAT: ") and "'text' or 'json'" in line for line in lines), lines
    assert any(line.startswith("MCP_SPLUNK_METRICS_TOKEN: must be at least 16 characters") for line in lines), lines
    assert "short-t0ken" not in "\n".join(lines)
