"""OpenTelemetry traces of tool calls through a real gateway, exported to an in-memory exporter."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from mcp_splunk.logs import configure_logging
from mcp_splunk.observability.trace_export import install_tracing
from mcp_splunk.sandbox import Sandbox
from tests.support import ADMIN, RunningGateway, running_gateway, sandbox_defaults

PASSWORD = ADMIN["X-Splunk-Password"]


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """The process's tracer provider, set up as ``MCP_SPLUNK_TRACES=otlp`` does, exporting to memory."""
    memory = InMemorySpanExporter()
    provider = install_tracing(memory)
    if not isinstance(provider, TracerProvider) or trace.get_tracer_provider() is not provider:
        pytest.fail("another tracer provider was set in this process before this module ran")
    yield memory
    provider.shutdown()


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def finished(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.force_flush()
    return list(exporter.get_finished_spans())


def tool_span(spans: list[ReadableSpan], tool: str) -> ReadableSpan:
    found = [s for s in spans if s.kind == SpanKind.SERVER and (s.attributes or {}).get("gen_ai.tool.name") == tool]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


async def test_a_tool_call_is_a_server_span_with_its_outcome_and_its_splunk_requests_beneath(
    exporter: InMemorySpanExporter, gateway: RunningGateway
) -> None:
    exporter.clear()
    async with gateway.client(ADMIN) as client:
        await client.call_tool("run_search", {"query": "index=main | head 2"})
        refused = await client.call_tool("validate_spl", {"query": "index=main | head 1"})
        denied = await client.call_tool("get_index_info", {"name": "no_such_index"}, raise_on_error=False)
    assert refused.is_error is False
    assert denied.is_error is True
    spans = finished(exporter)

    search = tool_span(spans, "run_search")
    assert search.name == "tools/call run_search"
    assert (search.attributes or {})["mcp_splunk.tool.outcome"] == "ok"
    beneath = [s for s in spans if s.parent is not None and s.parent.span_id == search.context.span_id]
    assert {s.name for s in beneath} >= {"splunk POST search/jobs"}
    assert all(s.kind == SpanKind.CLIENT for s in beneath)
    assert all(s.context.trace_id == search.context.trace_id for s in beneath)
    assert {(s.attributes or {})["http.response.status_code"] for s in beneath} <= {200, 201}

    failed = tool_span(spans, "get_index_info")
    attributes: dict[str, Any] = dict(failed.attributes or {})
    assert attributes["mcp_splunk.tool.outcome"] == "tool_error"
    assert attributes["mcp_splunk.error.code"] == "not_found"
    assert attributes["error.type"] == "tool_error"


async def test_a_refused_call_is_marked_refused_on_its_span(
    exporter: InMemorySpanExporter, gateway: RunningGateway
) -> None:
    exporter.clear()
    async with gateway.client() as client:
        await client.call_tool("run_search", {"query": "index=web | delete"}, raise_on_error=False)
    attributes = dict(tool_span(finished(exporter), "run_search").attributes or {})
    assert attributes["mcp_splunk.tool.outcome"] == "refused"
    assert attributes["mcp_splunk.error.code"] == "policy_violation"


async def test_no_span_carries_a_header_value_or_a_credential(
    exporter: InMemorySpanExporter, gateway: RunningGateway
) -> None:
    exporter.clear()
    async with gateway.client({**ADMIN, "X-Session-ID": "case-correlation-4711"}, mode="legacy") as client:
        await client.call_tool("list_indexes", {})
        session_id = client.transport.get_session_id()  # type: ignore[attr-defined]
    assert session_id
    spans = finished(exporter)
    assert spans
    for span in spans:
        values = [*(span.attributes or {}).values()] + [
            value for event in span.events for value in (event.attributes or {}).values()
        ]
        text = json.dumps([str(value) for value in values])
        assert "mcp.session.id" not in (span.attributes or {})
        for secret in (PASSWORD, session_id, "case-correlation-4711"):
            assert secret not in text, (span.name, secret)


def test_a_log_line_written_inside_a_span_names_its_trace(exporter: InMemorySpanExporter) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("INFO", stream=buffer, log_format="json")
    try:
        with trace.get_tracer("test").start_as_current_span("work") as span:
            logging.getLogger("mcp_splunk.test").info("inside a span")
    finally:
        root.handlers, root.level = saved
    line = json.loads(buffer.getvalue())
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["span_id"] == format(span.get_span_context().span_id, "016x")
