"""Each raw format is exactly as specified, and the timestamp written in it is the event's time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from mcp_splunk.sandbox.events import Event


def _epoch(text: str, pattern: str) -> float:
    return datetime.strptime(text, pattern).replace(tzinfo=UTC).timestamp()


def test_web_lines_are_access_combined_stamped_with_the_event_time(
    corpus: dict[str, list[Event]], web_lines: list[re.Match[str] | None]
) -> None:
    for event, line in zip(corpus["web"], web_lines, strict=True):
        assert line, event.raw
        assert _epoch(line["ts"], "%d/%b/%Y:%H:%M:%S") == event.time, event.raw


def test_security_lines_are_syslog_from_the_event_host_stamped_with_the_event_time(
    now: float, corpus: dict[str, list[Event]], secure_lines: list[re.Match[str] | None]
) -> None:
    year = datetime.fromtimestamp(now, UTC).year
    for event, line in zip(corpus["security"], secure_lines, strict=True):
        assert line, event.raw
        assert line["host"] == event.host, event.raw
        # Syslog has no year: it is the latest one that does not put the line in the future.
        stamped = _epoch(f"{year} {line['ts']}", "%Y %b %d %H:%M:%S")
        if stamped > now:
            stamped = _epoch(f"{year - 1} {line['ts']}", "%Y %b %d %H:%M:%S")
        assert stamped == event.time, event.raw


def test_single_digit_days_are_padded_with_a_space_as_syslog_does(corpus: dict[str, list[Event]]) -> None:
    assert any(re.match(r"[A-Z][a-z]{2}  \d ", event.raw) for event in corpus["security"])


def test_main_lines_are_one_line_json_stamped_with_the_event_time(
    corpus: dict[str, list[Event]], app_records: list[dict[str, Any]]
) -> None:
    keys = ["timestamp", "level", "service", "message", "latency_ms", "trace_id", "user_id"]
    for event, record in zip(corpus["main"], app_records, strict=True):
        assert "\n" not in event.raw
        assert list(record) == keys, event.raw
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"]), event.raw
        assert _epoch(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ") == event.time, event.raw
        assert isinstance(record["latency_ms"], int), event.raw
        assert re.fullmatch(r"[0-9a-f]{32}", record["trace_id"]), event.raw
        assert re.fullmatch(r"u\d{4}", record["user_id"]), event.raw
        assert event.source == f"/var/log/app/{record['service']}.log", event.raw


def test_internal_lines_are_splunkd_log_stamped_with_the_event_time(
    corpus: dict[str, list[Event]], internal_lines: list[re.Match[str] | None]
) -> None:
    for event, line in zip(corpus["_internal"], internal_lines, strict=True):
        assert line, event.raw
        assert _epoch(line["ts"], "%m-%d-%Y %H:%M:%S.%f") == event.time, event.raw


def test_internal_metrics_lines_look_like_splunkd_metrics(corpus: dict[str, list[Event]]) -> None:
    metrics = [e.raw for e in corpus["_internal"] if " INFO  Metrics - group=" in e.raw]
    assert len(metrics) > len(corpus["_internal"]) // 2
    assert any(
        re.search(r"group=pipeline, name=\w+, processor=\w+, cpu_seconds=\d+\.\d{3}, executes=\d+", raw)
        for raw in metrics
    )
