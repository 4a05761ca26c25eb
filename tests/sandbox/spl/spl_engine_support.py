"""A hand-built SearchContext and a small deterministic corpus for the SPL engine tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl import SearchResult, parse_search, render_row, run_search
from mcp_splunk.sandbox.spl.context import MacroDefinition

NOW = 1795341653.0  # 2026-11-22T10:00:53+00:00, a Sunday

ACCESS = '{ip} - {user} [22/Nov/2026:09:00:00 +0000] "{method} {uri} HTTP/1.1" {status} {bytes} "-" "curl/8.0"'


def access_raw(ip: str, uri: str, status: int, size: str = "100", method: str = "GET", user: str = "-") -> str:
    return ACCESS.format(ip=ip, user=user, method=method, uri=uri, status=status, bytes=size)


def event(
    offset: float,
    raw: str,
    *,
    index: str = "main",
    host: str = "host-a",
    source: str = "/var/log/app.log",
    sourcetype: str = "syslog",
) -> Event:
    """An event ``offset`` seconds before NOW."""
    return Event(time=NOW - offset, raw=raw, index=index, host=host, source=source, sourcetype=sourcetype)


def corpus() -> list[Event]:
    web = dict(index="web", source="/var/log/nginx/access.log", sourcetype="access_combined")
    return [
        event(3600, "user=alice action=login status=ok", host="app-01"),
        event(1800, "user=bob action=login status=failed latency=12", host="app-02"),
        event(600, "user=alice action=logout status=ok latency=7", host="app-01"),
        event(60, 'msg="disk full" level=ERROR latency=30', host="app-02"),
        event(7200, access_raw("10.0.0.1", "/cart?item=42", 200, "512"), host="web-01", **web),
        event(5400, access_raw("10.0.0.2", "/cart?item=7", 500, "-"), host="web-02", **web),
        event(3000, access_raw("10.0.0.1", "/checkout", 503, "1024", method="POST"), host="web-01", **web),
        event(900, access_raw("10.0.0.3", "/", 404, "0"), host="web-02", **web),
        event(120, access_raw("10.0.0.1", "/", 200, "2048", user="carol"), host="web-01", **web),
        event(
            2500,
            "Nov 22 09:19:13 bastion-01 sshd[12345]: Failed password for invalid user admin "
            "from 203.0.113.5 port 52344 ssh2",
            index="security",
            host="bastion-01",
            source="/var/log/secure",
            sourcetype="linux_secure",
        ),
        event(
            100,
            "11-22-2026 09:59:13.123 +0000 ERROR TcpOutputFd - Connection to host=10.0.0.7:9997 failed",
            index="_internal",
            host="idx-01",
            source="/opt/splunk/var/log/splunk/splunkd.log",
            sourcetype="splunkd",
        ),
        event(50, "top secret payroll", index="secret", host="vault-01"),
    ]


@dataclass
class FakeContext:
    """Role view: ``searchable`` lists what the caller may search; ``all_events`` may hold more."""

    all_events: list[Event]
    searchable: list[str] = field(default_factory=lambda: ["main", "web", "security", "_internal"])
    defaults: list[str] = field(default_factory=lambda: ["main"])
    lookups: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    macros: dict[tuple[str, int], MacroDefinition] = field(default_factory=dict)
    rest_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    now_value: float = NOW
    read_indexes: list[str] = field(default_factory=list)  # every index the engine asked events for
    rest_calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def now(self) -> float:
        return self.now_value

    @property
    def user(self) -> str:
        return "tester"

    def searchable_indexes(self) -> Sequence[str]:
        return list(self.searchable)

    def default_indexes(self) -> Sequence[str]:
        return list(self.defaults)

    def events(self, index: str) -> Sequence[Event]:
        self.read_indexes.append(index)
        if index not in self.searchable:
            return []
        return sorted((e for e in self.all_events if e.index == index), key=lambda e: e.time)

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        return self.lookups.get(name)

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        return self.macros.get((name, argc))

    def rest(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        self.rest_calls.append((path, dict(params)))
        if path not in self.rest_rows:
            raise LookupError(path)
        return self.rest_rows[path]


def run(ctx: FakeContext, query: str, **kwargs: Any) -> SearchResult:
    return run_search(parse_search(query, ctx), ctx, **kwargs)


def rendered(ctx: FakeContext, query: str, **kwargs: Any) -> list[dict[str, str | list[str]]]:
    return [render_row(row) for row in run(ctx, query, **kwargs).results]


def column(ctx: FakeContext, query: str, name: str, **kwargs: Any) -> list[Any]:
    return [row.get(name) for row in rendered(ctx, query, **kwargs)]
