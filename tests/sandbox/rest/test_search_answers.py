"""SPL answers on the sample data, each checked against a plain-Python computation over ``Sandbox.events()``.

The expected values come from the raw lines parsed with this suite's own regular expressions (``support``),
over an absolute epoch window, so that neither the sandbox's extraction nor the clock decides them.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Event, Sandbox
from tests.sandbox.rest.support import access_fields, connect, in_window, oneshot, time_window

HTTP_STATUS = {
    row["status"]: row
    for row in csv.DictReader(
        resources.files("mcp_splunk.sandbox.data").joinpath("lookups", "http_status.csv").read_text().splitlines()
    )
}


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox, owner="nobody", app="search")


@pytest.fixture(scope="module")
def window(sandbox: Sandbox) -> tuple[float, float]:
    return time_window(sandbox, "web")


@pytest.fixture(scope="module")
def web(sandbox: Sandbox, window: tuple[float, float]) -> list[dict[str, str]]:
    return access_fields(in_window(sandbox.events("web"), *window))


def _search(service: client.Service, window: tuple[float, float], spl: str) -> list[dict[str, Any]]:
    earliest, latest = window
    return oneshot(service, spl, earliest_time=str(earliest), latest_time=str(latest))


def _number(text: str) -> float | None:
    return float(text) if re.fullmatch(r"-?\d+(?:\.\d+)?", text) else None


def _iso(epoch: float) -> str:
    # Splunk's default result time format, %FT%T.%Q%:z, in UTC.
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def test_stats_count_by_status(service: client.Service, window: tuple[float, float], web: list[dict[str, str]]) -> None:
    rows = _search(service, window, "search index=web | stats count by status")
    expected = sorted(Counter(f["status"] for f in web).items())
    assert [(r["status"], int(r["count"])) for r in rows] == expected


def test_stats_count_by_two_fields(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, "search index=web status>=500 | stats count by host, status")
    expected = sorted(Counter((f["host"], f["status"]) for f in web if int(f["status"]) >= 500).items())
    assert [((r["host"], r["status"]), int(r["count"])) for r in rows] == expected


def test_dc_of_client_addresses_per_host(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, "search index=web | stats dc(clientip) AS clients by host")
    expected: dict[str, set[str]] = {}
    for f in web:
        expected.setdefault(f["host"], set()).add(f["clientip"])
    assert {r["host"]: int(r["clients"]) for r in rows} == {h: len(ips) for h, ips in expected.items()}


def test_avg_min_max_and_sum_of_bytes_ignore_missing_sizes(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    [row] = _search(service, window, "search index=web | stats avg(bytes) AS avg, max(bytes) AS max, sum(bytes) AS sum")
    sizes = [n for f in web if (n := _number(f["bytes"])) is not None]
    assert len(sizes) < len(web)  # some requests logged "-" for their size
    assert float(row["avg"]) == pytest.approx(statistics.fmean(sizes), rel=1e-12)
    assert float(row["max"]) == max(sizes)
    assert float(row["sum"]) == sum(sizes)


def test_top_uris_with_counts_and_percentages(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, "search index=web | top limit=5 uri")
    counts = Counter(f["uri"] for f in web)
    assert [int(r["count"]) for r in rows] == sorted(counts.values(), reverse=True)[:5]
    for row in rows:
        assert int(row["count"]) == counts[row["uri"]]
        assert float(row["percent"]) == pytest.approx(100 * counts[row["uri"]] / len(web), abs=1e-6)


def test_timechart_counts_per_hour_including_empty_buckets(sandbox: Sandbox, service: client.Service) -> None:
    start = (int(sandbox.events("security")[0].time) // 3600 + 1) * 3600
    window = (float(start), float(start + 8 * 3600))
    rows = _search(service, window, "search index=security | timechart span=1h count")
    counts = Counter(int(e.time) // 3600 * 3600 for e in in_window(sandbox.events("security"), *window))
    expected = [(_iso(hour), counts.get(hour, 0)) for hour in range(start, start + 8 * 3600, 3600)]
    assert [(r["_time"], int(r["count"])) for r in rows] == expected


def test_where_filters_on_a_numeric_comparison(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, 'search index=web | where bytes > 5000 AND method="POST" | stats count')
    expected = sum(1 for f in web if (_number(f["bytes"]) or 0) > 5000 and f["method"] == "POST")
    assert rows == [{"count": str(expected)}]


def test_eval_if_and_case(service: client.Service, window: tuple[float, float], web: list[dict[str, str]]) -> None:
    spl = (
        'search index=web | eval class=case(status>=500, "server", status>=400, "client", true(), "ok")'
        " | eval slow=if(bytes>10000, 1, 0) | stats count, sum(slow) AS big by class"
    )
    rows = _search(service, window, spl)

    def cls(status: int) -> str:
        return "server" if status >= 500 else "client" if status >= 400 else "ok"

    count = Counter(cls(int(f["status"])) for f in web)
    big = Counter(cls(int(f["status"])) for f in web if (_number(f["bytes"]) or 0) > 10000)
    assert {r["class"]: (int(r["count"]), int(r["big"])) for r in rows} == {c: (n, big[c]) for c, n in count.items()}


def test_rex_extracts_a_new_field(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, 'search index=web | rex "^(?<net>\\d+\\.\\d+)\\." | stats count by net')
    expected = Counter(".".join(f["clientip"].split(".")[:2]) for f in web)
    assert {r["net"]: int(r["count"]) for r in rows} == dict(expected)


def test_lookup_adds_the_status_descriptions(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    spl = "search index=web | lookup http_status status OUTPUT status_description | stats count by status_description"
    rows = _search(service, window, spl)
    expected = Counter(HTTP_STATUS[f["status"]]["status_description"] for f in web if f["status"] in HTTP_STATUS)
    assert {r["status_description"]: int(r["count"]) for r in rows} == dict(expected)


def test_inputlookup_of_the_kv_store_collection(sandbox: Sandbox, service: client.Service) -> None:
    rows = oneshot(service, "| inputlookup assets_lookup | sort hostname")
    records = sorted(sandbox.state.kv_records("assets").values(), key=lambda r: r["hostname"])
    assert [{k: r[k] for k in ("_key", "hostname", "ip", "owner", "criticality")} for r in rows] == [
        {k: str(rec[k]) for k in ("_key", "hostname", "ip", "owner", "criticality")} for rec in records
    ]


def test_metadata_of_the_web_sourcetypes(sandbox: Sandbox, service: client.Service) -> None:
    rows = oneshot(service, "| metadata type=sourcetypes index=web", earliest_time="0")
    events = sandbox.events("web")
    assert rows == [
        {
            "sourcetype": "access_combined",
            "firstTime": str(int(min(e.time for e in events))),
            "lastTime": str(int(max(e.time for e in events))),
            "recentTime": str(int(max(e.time for e in events))),
            "totalCount": str(len(events)),
            "type": "sourcetypes",
        }
    ]


def test_tstats_count_by_host(sandbox: Sandbox, service: client.Service, window: tuple[float, float]) -> None:
    rows = _search(service, window, "| tstats count where index=web by host")
    expected = Counter(e.host for e in in_window(sandbox.events("web"), *window))
    assert [(r["host"], int(r["count"])) for r in rows] == sorted(expected.items())


def test_eventcount_per_index(sandbox: Sandbox, service: client.Service) -> None:
    rows = oneshot(service, "| eventcount summarize=false index=web index=main index=security")
    assert {r["index"]: int(r["count"]) for r in rows} == {
        name: len(sandbox.events(name)) for name in ("web", "main", "security")
    }


def test_makeresults_makes_the_rows_it_is_asked_for(service: client.Service) -> None:
    rows = oneshot(service, "| makeresults count=4 | eval n=2 | stats count, sum(n) AS total")
    assert rows == [{"count": "4", "total": "8"}]


def test_dedup_keeps_the_newest_event_of_each_value(
    sandbox: Sandbox, service: client.Service, window: tuple[float, float]
) -> None:
    rows = _search(service, window, "search index=web | dedup host | table _time host")
    newest: dict[str, Event] = {}
    for event in in_window(sandbox.events("web"), *window):
        newest[event.host] = event  # events are oldest first, so the last one wins
    expected = sorted(newest.values(), key=lambda e: e.time, reverse=True)
    assert rows == [{"_time": _iso(e.time), "host": e.host} for e in expected]


def test_sort_and_head_give_the_largest_responses(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, 'search index=web bytes!="-" | sort - bytes | head 5 | table bytes')
    assert [int(r["bytes"]) for r in rows] == sorted((int(f["bytes"]) for f in web if f["bytes"] != "-"), reverse=True)[
        :5
    ]


def test_json_events_are_searchable_by_their_keys(sandbox: Sandbox, service: client.Service) -> None:
    window = time_window(sandbox, "main")
    rows = _search(service, window, "search index=main level=ERROR | stats count by service")
    records = [json.loads(e.raw) for e in in_window(sandbox.events("main"), *window)]
    expected = Counter(r["service"] for r in records if r["level"] == "ERROR")
    assert {r["service"]: int(r["count"]) for r in rows} == dict(expected)


def test_a_macro_expands_to_its_definition(
    service: client.Service, window: tuple[float, float], web: list[dict[str, str]]
) -> None:
    rows = _search(service, window, "search `web_errors` | stats count")
    assert rows == [{"count": str(sum(1 for f in web if int(f["status"]) >= 500))}]
