"""Exporting traces (``MCP_SPLUNK_TRACES=otlp``): the OpenTelemetry SDK, from the ``otel`` extra.

The exporter is OTLP over HTTP, configured by the standard ``OTEL_EXPORTER_OTLP_*`` variables (endpoint, headers,
timeout); ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` name the service. Every span leaves through
``ScrubbingSpanProcessor``: FastMCP records the ``Mcp-Session-Id`` header as ``mcp.session.id``, and a session id
is as good as the Splunk credentials bound to that session, so it is dropped; every other string (an exception's
message, a status description) passes through the log redactor, as a log line would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Status
from opentelemetry.util.types import AttributeValue

from mcp_splunk import __version__
from mcp_splunk.logs import redact

DROPPED_ATTRIBUTES = frozenset({"mcp.session.id"})


def _clean(attributes: Mapping[str, AttributeValue] | None) -> dict[str, AttributeValue]:
    return {key: _redacted(value) for key, value in (attributes or {}).items() if key not in DROPPED_ATTRIBUTES}


def _redacted(value: AttributeValue) -> AttributeValue:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, tuple | list) and value and isinstance(value[0], str):
        return [redact(str(item)) for item in value]
    return value


class ScrubbingSpanProcessor(SpanProcessor):
    """Hands ``inner`` (the exporting processor) a copy of each ended span without header-derived attributes."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: context.Context | None = None) -> None:
        self._inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        status = span.status
        self._inner.on_end(
            ReadableSpan(
                name=span.name,
                context=span.context,
                parent=span.parent,
                resource=span.resource,
                attributes=_clean(span.attributes),
                events=[Event(event.name, _clean(event.attributes), event.timestamp) for event in span.events],
                links=span.links,
                kind=span.kind,
                status=Status(status.status_code, redact(status.description) if status.description else None),
                start_time=span.start_time,
                end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )
        )

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def install_tracing(exporter: SpanExporter | None = None) -> TracerProvider:
    """Make an SDK tracer provider the process's own, exporting through ``exporter`` (default: OTLP over HTTP).

    Once per process: an SDK provider already set (by an earlier gateway in this process, or by the operator's own
    OpenTelemetry setup) is kept, as OpenTelemetry would keep it anyway.
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

        exporter = OTLPSpanExporter()
    # Resource.create reads OTEL_RESOURCE_ATTRIBUTES, but attributes given here win: OTEL_SERVICE_NAME is read first.
    name = os.environ.get("OTEL_SERVICE_NAME") or "mcp-splunk"
    provider = TracerProvider(resource=Resource.create({"service.name": name, "service.version": __version__}))
    provider.add_span_processor(ScrubbingSpanProcessor(BatchSpanProcessor(exporter)))
    trace.set_tracer_provider(provider)
    return provider
