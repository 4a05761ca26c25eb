"""Data that keeps arriving (issue 15, gap 12) and data that tests send: live events after the seeded week,
the HTTP Event Collector and receivers/simple, each searched back through splunklib."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator

import httpx
import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from mcp_splunk.sandbox.live import LiveFeed
from tests.sandbox.rest.support import connect, oneshot

HEC_TOKEN = "00000000-feed-4bad-beef-000000000015"


@pytest.fixture(scope="module")
def splunk() -> Iterator[Sandbox]:
    """Started 90 minutes ago by its data's clock, with live data: it has been "running" that long."""
    options = SandboxOptions(now=time.time() - 5400, live_data=True, hec_tokens={HEC_TOKEN: "main"})
    with Sandbox(options) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def service(splunk: Sandbox) -> client.Service:
    return connect(splunk, owner="nobody", app="search")


# -- live data ---------------------------------------------------------------------------------------------
def test_a_live_sandbox_finds_events_in_the_last_minute(service: client.Service, splunk: Sandbox) -> None:
    rows = oneshot(service, "search index=* earliest=-1m | stats count by index")
    counts = {r["index"]: int(r["count"]) for r in rows}
    now = time.time()
    expected = {
        name: sum(1 for e in splunk.events(name) if now - 75 <= e.time <= now) for name in ("main", "web", "security")
    }
    assert set(counts) == {"main", "web", "security"}
    for name, count in counts.items():
        assert 1 <= count <= expected[name]


def test_a_frozen_sandbox_of_the_same_age_finds_nothing_recent() -> None:
    with Sandbox(SandboxOptions(now=time.time() - 5400)) as frozen:
        assert oneshot(connect(frozen), "search index=web earliest=-1h | stats count") == [{"count": "0"}]


def test_live_events_are_released_as_the_clock_passes_them_and_repeat_for_the_same_seed() -> None:
    start = 1_800_000_000.0
    clock = [start]
    feed, twin = LiveFeed(7, start, lambda: clock[0]), LiveFeed(7, start, lambda: clock[0])
    assert feed.due() == {}
    clock[0] = start + 61
    first = feed.due()
    assert set(first) == {"main", "web", "security", "_internal"}
    assert all(start < e.time <= start + 61 for events in first.values() for e in events)
    assert feed.due() == {}  # nothing new until the clock moves
    clock[0] = start + 3 * 3600 + 5
    later = feed.due()
    # Slot k is (start + 30k, start + 30(k + 1)]: every one of them holds at least one web event.
    slots = {math.ceil((e.time - start) / 30) - 1 for e in first["web"] + later["web"]}
    assert slots >= set(range(3 * 120))
    assert [e.raw for e in twin.due()["web"]] == [e.raw for e in first["web"] + later["web"]]


# -- HTTP Event Collector -----------------------------------------------------------------------------------
def test_events_sent_over_hec_are_found_by_a_search_at_once(splunk: Sandbox, service: client.Service) -> None:
    marker = f"hec-{time.time_ns()}"
    body = "".join(
        json.dumps({"event": {"marker": marker, "n": n}, "sourcetype": "_json", "host": "ci-runner"}) for n in range(3)
    )
    reply = httpx.post(
        f"{splunk.url}/services/collector/event", content=body, headers={"Authorization": f"Splunk {HEC_TOKEN}"}
    )
    assert (reply.status_code, reply.json()) == (200, {"text": "Success", "code": 0})
    rows = oneshot(service, f'search index=main "{marker}" earliest=-1m | table host sourcetype n | sort n')
    assert rows == [{"host": "ci-runner", "sourcetype": "_json", "n": str(n)} for n in range(3)]


@pytest.mark.parametrize(
    ("headers", "body", "status", "reply"),
    [
        ({}, '{"event": "x"}', 401, {"text": "Token is required", "code": 2}),
        ({"Authorization": "Bearer x"}, '{"event": "x"}', 401, {"text": "Invalid authorization", "code": 3}),
        ({"Authorization": "Splunk nope"}, '{"event": "x"}', 403, {"text": "Invalid token", "code": 4}),
        ({"Authorization": f"Splunk {HEC_TOKEN}"}, "", 400, {"text": "No data", "code": 5}),
        (
            {"Authorization": f"Splunk {HEC_TOKEN}"},
            "{oops",
            400,
            {"text": "Invalid data format", "code": 6, "invalid-event-number": 0},
        ),
        (
            {"Authorization": f"Splunk {HEC_TOKEN}"},
            '{"event": "a"}{"index": "nope", "event": "b"}',
            400,
            {"text": "Incorrect index", "code": 7, "invalid-event-number": 1},
        ),
        (
            {"Authorization": f"Splunk {HEC_TOKEN}"},
            '{"fields": {}}',
            400,
            {"text": "Event field is required", "code": 12, "invalid-event-number": 0},
        ),
    ],
)
def test_hec_answers_its_documented_errors(
    splunk: Sandbox, headers: dict[str, str], body: str, status: int, reply: dict[str, object]
) -> None:
    response = httpx.post(f"{splunk.url}/services/collector/event", content=body, headers=headers)
    assert (response.status_code, response.json()) == (status, reply)


def test_receivers_simple_indexes_what_splunklib_submits(service: client.Service) -> None:
    marker = f"simple-{time.time_ns()}"
    service.indexes["web"].submit(f"{marker} first line\n{marker} second line", sourcetype="fidelity", host="ci")
    rows = oneshot(service, f'search index=web "{marker}" earliest=-1m | table _raw host sourcetype')
    assert sorted(r["_raw"] for r in rows) == [f"{marker} first line", f"{marker} second line"]
    assert {(r["host"], r["sourcetype"]) for r in rows} == {("ci", "fidelity")}
