"""The gateway's own OpenTelemetry spans, through the OpenTelemetry API only (FastMCP's dependency).

FastMCP opens a SERVER span per MCP request (``tools/call run_search``, with ``gen_ai.tool.name``). The gateway
adds its outcome to that span, and a CLIENT span per REST request to Splunk beneath it (the worker thread inherits
the span through the copied context). Without an SDK (``MCP_SPLUNK_TRACES=off``) every span is a no-op.

Attributes never carry a header's value, a credential, a URL (it may hold a sid or an object's name) or a Splunk
host (a client may choose it by header): only the method, the endpoint class and the status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from mcp_splunk import __version__

OUTCOME = "mcp_splunk.tool.outcome"
ERROR_CODE = "mcp_splunk.error.code"
ENDPOINT = "mcp_splunk.splunk.endpoint"
_TRACER = trace.get_tracer("mcp_splunk", __version__)


@contextmanager
def splunk_span(method: str, endpoint: str) -> Iterator[Span]:
    """A CLIENT span for one REST request to Splunk; ``endpoint`` is a ``metrics.endpoint_class``.

    Not made the current span: nothing runs beneath it, and without an SDK this keeps a request's cost to one
    no-op call instead of a context attached and detached."""
    span = _TRACER.start_span(
        f"splunk {method} {endpoint}",
        kind=SpanKind.CLIENT,
        attributes={"http.request.method": method, ENDPOINT: endpoint},
    )
    try:
        yield span
    except BaseException as exc:
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR))
        raise
    finally:
        span.end()


def mark_outcome(outcome: str, error_code: str | None) -> None:
    """Put a tool call's outcome on the current (FastMCP's) span. ``error.type`` is ``tool_error`` for a result
    with ``isError``, as the MCP semantic conventions have it; the gateway's code says which error."""
    span = trace.get_current_span()
    if not span.is_recording():
        return
    span.set_attribute(OUTCOME, outcome)
    if error_code is not None:
        span.set_attribute(ERROR_CODE, error_code)
        span.set_attribute("error.type", "tool_error")
        span.set_status(Status(StatusCode.ERROR))


def export_traces() -> None:
    """``MCP_SPLUNK_TRACES=otlp``: export spans over OTLP; a ``ValueError`` saying what to install without the SDK."""
    try:
        from mcp_splunk.observability.trace_export import install_tracing  # noqa: PLC0415 - the otel extra
    except ImportError:
        raise ValueError(
            "MCP_SPLUNK_TRACES=otlp needs the OpenTelemetry SDK and OTLP exporter: pip install 'mcp-splunk[otel]'"
        ) from None
    install_tracing()
