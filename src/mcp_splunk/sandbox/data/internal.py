"""``index=_internal``: the sandbox's own splunkd.log, mostly Metrics lines with some warnings and errors."""

from __future__ import annotations

import random
from collections.abc import Callable

from mcp_splunk.sandbox.data.clock import Window, day_renderer, spread
from mcp_splunk.sandbox.data.topology import SERVERS, SPLUNK_HOST
from mcp_splunk.sandbox.events import Event

SOURCE = "/opt/splunk/var/log/splunk/splunkd.log"
SOURCETYPE = "splunkd"

_PIPELINES = (
    ("parsing", "readerin"),
    ("merging", "aggregator"),
    ("typing", "regexreplacement"),
    ("indexerpipe", "indexin"),
    ("indexerpipe", "indexer"),
)
_QUEUES = ("parsingqueue", "aggqueue", "typingqueue", "indexqueue")
_SERIES = {
    "per_index_thruput": ("web", "main", "security", "_internal"),
    "per_sourcetype_thruput": ("access_combined", "_json", "linux_secure", "splunkd"),
}
_APP_LOGS = ("/var/log/app/checkout.log", "/var/log/app/payments.log", "/var/log/app/inventory.log")
_OUTPUT_PEER = "10.0.9.50:9997"  # a decommissioned indexer the forwarding config still names


def _pipeline(rng: random.Random) -> tuple[str, str, str]:
    name, processor = rng.choice(_PIPELINES)
    return (
        "INFO",
        "Metrics",
        f"group=pipeline, name={name}, processor={processor}, cpu_seconds={rng.random() * 0.02:.3f}, "
        f"executes={rng.randint(5, 900)}, cumulative_hits={rng.randint(10_000, 9_000_000)}",
    )


def _queue(rng: random.Random) -> tuple[str, str, str]:
    current = rng.randint(0, 60)
    return (
        "INFO",
        "Metrics",
        f"group=queue, name={rng.choice(_QUEUES)}, max_size_kb=512, current_size_kb={current}, "
        f"current_size={current // 4}, largest_size={current // 4 + rng.randint(0, 9)}, smallest_size=0",
    )


def _thruput(rng: random.Random) -> tuple[str, str, str]:
    group = rng.choice(tuple(_SERIES))
    kb = rng.random() * 40
    return (
        "INFO",
        "Metrics",
        f'group={group}, series="{rng.choice(_SERIES[group])}", kbps={kb / 30:.6f}, eps={kb / 9:.6f}, '
        f"kb={kb:.3f}, ev={round(kb * 3.3)}, avg_age={rng.random() * 2:.6f}, max_age={rng.randint(1, 4)}",
    )


def _tcpin(rng: random.Random) -> tuple[str, str, str]:
    server = rng.choice(SERVERS)
    port = rng.randint(40000, 60999)
    kb = rng.random() * 30
    return (
        "INFO",
        "Metrics",
        f"group=tcpin_connections, {server.ip}:{port}:9997, connectionType=cooked, sourcePort={port}, "
        f"sourceHost={server.ip}, sourceIp={server.ip}, destPort=9997, kb={kb:.3f}, "
        f"tcp_eps={kb / 12:.3f}, tcp_KBps={kb / 30:.3f}, hostname={server.hostname}",
    )


def _tcp_output(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.7:
        return "WARN", "TcpOutputProc", f"Cooked connection to ip={_OUTPUT_PEER} timed out"
    return "ERROR", "TcpOutputProc", f"Connection to host={_OUTPUT_PEER} failed"


def _date_parser(rng: random.Random) -> tuple[str, str, str]:
    return (
        "WARN",
        "DateParserVerbose",
        "A possible timestamp match is outside of the acceptable time window. If this timestamp is correct, "
        f"consider adjusting MAX_DAYS_AGO and MAX_DAYS_HENCE. Context: source={rng.choice(_APP_LOGS)}"
        f"|host={rng.choice(('app-01', 'app-02'))}|_json|{rng.randint(100, 9999)}",
    )


def _exec_processor(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.6:
        return (
            "WARN",
            "ExecProcessor",
            'message from "/opt/splunk/bin/splunkd instrument-resource-usage" Unable to read /proc/1/io: '
            "Permission denied",
        )
    # The alert's email action: the sandbox has no mail server.
    return (
        "ERROR",
        "ExecProcessor",
        'message from "/opt/splunk/bin/python3 /opt/splunk/etc/apps/search/bin/sendemail.py" '
        "ConnectionRefusedError: [Errno 111] Connection refused",
    )


def _http_listener(rng: random.Random) -> tuple[str, str, str]:
    peer = f"{rng.choice(SERVERS).ip}:{rng.randint(40000, 60999)}"
    if rng.random() < 0.7:
        return (
            "WARN",
            "HttpListener",
            f"Socket error from {peer} while accessing /services/collector/event: Broken pipe",
        )
    return (
        "ERROR",
        "HttpListener",
        f"Exception while processing request from {peer} for /services/collector/event: Connection closed by peer",
    )


_KINDS: tuple[tuple[Callable[[random.Random], tuple[str, str, str]], float], ...] = (
    (_pipeline, 30),
    (_queue, 25),
    (_thruput, 22),
    (_tcpin, 13),
    (_tcp_output, 3),
    (_date_parser, 2.5),
    (_exec_processor, 2),
    (_http_listener, 2.5),
)


def internal_events(rng: random.Random, window: Window) -> list[Event]:
    """About 4,800 lines a week; splunkd is busy around the clock, so the daily swing is small."""
    stamp = day_renderer(lambda t: f"{t.tm_mon:02d}-{t.tm_mday:02d}-{t.tm_year} ", millis=True)
    times = spread(rng, window, peak_per_hour=36, night=0.6, grid_ms=1)
    kinds = rng.choices([k for k, _ in _KINDS], [w for _, w in _KINDS], k=len(times))
    events = []
    for ms, kind in zip(times, kinds, strict=True):
        level, component, message = kind(rng)
        raw = f"{stamp(ms)} +0000 {level:<5} {component} - {message}"
        events.append(Event(ms / 1000, raw, "_internal", SPLUNK_HOST, SOURCE, SOURCETYPE))
    return events
