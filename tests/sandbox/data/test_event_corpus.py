from __future__ import annotations

import pytest

from mcp_splunk.sandbox.data import generate_events
from mcp_splunk.sandbox.events import Event

DAY = 86400.0
EXPECTED = {
    # index: (hosts, sources, sourcetype)
    "web": ({"web-01", "web-02", "web-03"}, {"/var/log/nginx/access.log"}, "access_combined"),
    "security": ({"bastion-01", "db-01", "web-01"}, {"/var/log/secure"}, "linux_secure"),
    "main": (
        {"app-01", "app-02"},
        {f"/var/log/app/{s}.log" for s in ("checkout", "payments", "inventory", "auth-api", "search-api")},
        "_json",
    ),
    "_internal": ({"sandbox"}, {"/opt/splunk/var/log/splunk/splunkd.log"}, "splunkd"),
}


def _fingerprint(corpus: dict[str, list[Event]]) -> dict[str, list[tuple[float, str, str, str, str, str]]]:
    return {
        index: [(e.time, e.raw, e.index, e.host, e.source, e.sourcetype) for e in events]
        for index, events in corpus.items()
    }


def test_the_same_now_and_seed_give_identical_events(now: float, corpus: dict[str, list[Event]]) -> None:
    assert _fingerprint(generate_events(now=now, seed=42)) == _fingerprint(corpus)


def test_a_different_seed_gives_different_events_in_every_index(now: float, corpus: dict[str, list[Event]]) -> None:
    other = generate_events(now=now, seed=7)
    for index, events in corpus.items():
        assert [e.raw for e in other[index]] != [e.raw for e in events], index


def test_the_corpus_has_exactly_the_four_indexes(corpus: dict[str, list[Event]]) -> None:
    assert set(corpus) == {"main", "web", "security", "_internal"}
    for index, events in corpus.items():
        assert {e.index for e in events} == {index}


def test_each_index_is_sorted_by_time_within_the_window_at_millisecond_precision(
    now: float, corpus: dict[str, list[Event]]
) -> None:
    for index, events in corpus.items():
        times = [e.time for e in events]
        assert times == sorted(times), index
        assert now - 7 * DAY < times[0], index
        assert times[-1] <= now, index
        assert all(round(t, 3) == t for t in times), index


@pytest.mark.parametrize(
    ("index", "low", "high"),
    [
        ("web", 17_000, 25_000),
        ("main", 7_000, 11_000),
        ("security", 2_500, 5_000),
        ("_internal", 3_500, 6_500),
    ],
)
def test_each_index_holds_a_plausible_number_of_events(
    corpus: dict[str, list[Event]], index: str, low: int, high: int
) -> None:
    assert low <= len(corpus[index]) <= high


@pytest.mark.parametrize("seed", [1, 42, 2024])
def test_the_whole_week_holds_30000_to_45000_events(now: float, seed: int) -> None:
    assert 30_000 <= sum(len(events) for events in generate_events(now=now, seed=seed).values()) <= 45_000


@pytest.mark.parametrize("seed", [1, 42, 2024])
def test_every_index_has_events_in_the_last_hour_and_the_last_day(now: float, seed: int) -> None:
    for index, events in generate_events(now=now, seed=seed).items():
        assert any(e.time > now - 3600 for e in events), index
        assert sum(e.time > now - DAY for e in events) > 24, index


def test_traffic_follows_the_day_but_never_stops_at_night(corpus: dict[str, list[Event]]) -> None:
    for index in ("web", "main", "security"):
        by_hour = [0] * 24
        for event in corpus[index]:
            by_hour[int(event.time // 3600) % 24] += 1
        assert max(by_hour) > 2 * min(by_hour), index
        assert min(by_hour) > 0, index


def test_hosts_sources_and_sourcetypes_are_as_specified(corpus: dict[str, list[Event]]) -> None:
    for index, (hosts, sources, sourcetype) in EXPECTED.items():
        events = corpus[index]
        assert {e.host for e in events} == hosts, index
        assert {e.source for e in events} == sources, index
        assert {e.sourcetype for e in events} == {sourcetype}, index


def test_a_shorter_window_only_covers_its_days(now: float) -> None:
    for index, events in generate_events(now=now, days=1).items():
        assert events, index
        assert all(now - DAY < e.time <= now for e in events), index


def test_a_window_of_no_days_is_refused(now: float) -> None:
    with pytest.raises(ValueError, match="days"):
        generate_events(now=now, days=0)
