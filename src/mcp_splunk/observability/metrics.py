"""The gateway's Prometheus instruments, on a registry of the gateway's own.

Not prometheus-client's global default registry: several gateways in one process (the tests, an embedding
application) would otherwise share, or collide on, the same series.

Every label has a bounded set of values, whatever clients send: a tool label is a registered tool's name (anything
else is counted as ``unknown``), an outcome is one of ``OUTCOMES``, a Splunk endpoint is the class of a REST path
(``search/jobs``, never a sid or an object's name), a method is one of splunkd's. No user, client address, host or
session ever becomes a label. Label children are bound once and kept, so a call costs two dictionary lookups, not
a registry lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)

OUTCOMES = ("ok", "tool_error", "refused", "rate_limited", "input_required", "exception", "cancelled")
UNKNOWN_TOOL = "unknown"
# Tool calls wait on searches (MCP_SPLUNK_SEARCH_WAIT_SECONDS, up to MCP_SPLUNK_MAX_WAIT_SECONDS): minutes at most.
TOOL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# One REST request: a millisecond on a LAN, up to MCP_SPLUNK_READ_TIMEOUT (60 s by default).
SPLUNK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_METHODS = frozenset({"GET", "POST", "DELETE"})
_NAMESPACE = re.compile(r"/(?:services|servicesNS/[^/]+/[^/]+)/")
_WORD = re.compile(r"[a-z][a-z_-]*")


def endpoint_class(path: str) -> str:
    """The REST collection a splunkd path addresses: its first two segments after the namespace, the API version
    skipped (``/servicesNS/alice/search/search/v2/jobs/1712.3/results`` → ``search/jobs``). Owner, app, sids and
    object names never reach a label; a ``configs/conf-<file>`` path is ``configs/conf-*``."""
    namespace = _NAMESPACE.match(path)
    if namespace is None:
        return "other"
    segments = [segment for segment in path[namespace.end() :].split("/") if segment and segment != "v2"][:2]
    kept = ["conf-*" if s.startswith("conf-") else s if _WORD.fullmatch(s) else "*" for s in segments]
    return "/".join(kept) or "other"


class ToolInstruments:
    """One tool's label children, bound once: its latency histogram and a counter per outcome."""

    __slots__ = ("calls", "seconds")

    def __init__(self, calls: Counter, seconds: Histogram, tool: str) -> None:
        self.seconds = seconds.labels(tool)
        self.calls = {outcome: calls.labels(tool, outcome) for outcome in OUTCOMES}


class GatewayMetrics:
    def __init__(self, tools: Iterable[str]) -> None:
        # No "_created" series: in the text format they double every counter and histogram for nothing Prometheus
        # uses. prometheus-client has this switch for the whole process only.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus-client 0.26
        self.registry = CollectorRegistry()
        self._tool_names = frozenset(tools)
        self._calls = Counter(
            "mcp_splunk_tool_calls",
            "Tool calls by tool and outcome "
            "(ok, tool_error, refused, rate_limited, input_required, exception, cancelled).",
            ("tool", "outcome"),
            registry=self.registry,
        )
        self._tool_seconds = Histogram(
            "mcp_splunk_tool_call_duration_seconds",
            "Time from a tools/call reaching the gateway's middleware to its result, by tool.",
            ("tool",),
            buckets=TOOL_BUCKETS,
            registry=self.registry,
        )
        self._splunk_seconds = Histogram(
            "mcp_splunk_splunk_request_duration_seconds",
            "Time of one REST request to Splunk (until its body is read), by method and endpoint class.",
            ("method", "endpoint"),
            buckets=SPLUNK_BUCKETS,
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)  # CPU seconds, memory, open files of the gateway's process
        self._tools: dict[str, ToolInstruments] = {}
        self._splunk: dict[tuple[str, str], Histogram] = {}

    def tool(self, name: str) -> ToolInstruments:
        found = self._tools.get(name)
        if found is None:
            label = name if name in self._tool_names else UNKNOWN_TOOL
            found = self._tools.get(label) or ToolInstruments(self._calls, self._tool_seconds, label)
            self._tools[label] = found  # keyed by label, not by name: unknown names cannot grow the dict
        return found

    def observe_splunk(self, method: str, endpoint: str, seconds: float) -> None:
        """Record one Splunk request; ``endpoint`` is an ``endpoint_class``. Called on worker threads."""
        key = (method if method in _METHODS else "other", endpoint)
        child = self._splunk.get(key)
        if child is None:
            child = self._splunk_seconds.labels(*key)
            self._splunk[key] = child  # a race only binds the same child twice
        child.observe(seconds)

    def gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """A gauge read when scraped (pool and session sizes), so nothing is updated per call."""
        Gauge(name, documentation, registry=self.registry).set_function(read)
