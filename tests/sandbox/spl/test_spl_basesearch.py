"""The base search: terms, field comparisons, Boolean logic, indexes, time range, order, progress, cancel."""

from __future__ import annotations

import re

import pytest

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl import SearchCancelled, parse_search, run_search
from tests.sandbox.spl.spl_engine_support import NOW, FakeContext, corpus, event, run

EVENTS = corpus()


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(corpus())


def raws(ctx: FakeContext, query: str, **kwargs: object) -> list[str]:
    return [row["_raw"] for row in run(ctx, query, **kwargs).results]


def newest_first(events: list[Event]) -> list[str]:
    return [e.raw for e in sorted(events, key=lambda e: e.time, reverse=True)]


def in_index(*names: str) -> list[Event]:
    return [e for e in EVENTS if e.index in names]


def test_no_index_term_searches_the_default_indexes(ctx: FakeContext) -> None:
    assert raws(ctx, "search *") == newest_first(in_index("main"))


def test_index_star_means_every_non_internal_searchable_index(ctx: FakeContext) -> None:
    assert raws(ctx, "search index=*") == newest_first(in_index("main", "web", "security"))


def test_index_underscore_star_means_internal_indexes(ctx: FakeContext) -> None:
    assert raws(ctx, "search index=_*") == newest_first(in_index("_internal"))


def test_index_or_combines_indexes(ctx: FakeContext) -> None:
    assert raws(ctx, "search (index=security OR index=_internal)") == newest_first(in_index("security", "_internal"))


def test_forbidden_index_matches_nothing_and_is_never_read(ctx: FakeContext) -> None:
    assert raws(ctx, "search index=secret") == []
    assert raws(ctx, "search index=* payroll") == []
    assert "secret" not in ctx.read_indexes


def test_bare_terms_match_raw_case_insensitively(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("main") if "alice" in e.raw.lower()])
    assert raws(ctx, "search ALICE") == expected


def test_quoted_phrase_and_wildcard_terms(ctx: FakeContext) -> None:
    assert raws(ctx, 'search "disk full"') == newest_first([e for e in in_index("main") if "disk full" in e.raw])
    expected = newest_first([e for e in in_index("main") if re.search("log.*t", e.raw)])
    assert raws(ctx, "search log*t") == expected


def test_field_equality_is_case_insensitive_with_wildcards(ctx: FakeContext) -> None:
    assert raws(ctx, "search user=ALICE") == newest_first([e for e in in_index("main") if "user=alice" in e.raw])
    assert raws(ctx, "search action=log*") == newest_first([e for e in in_index("main") if "action=log" in e.raw])


def test_field_inequality_excludes_events_without_the_field(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("main") if "user=" in e.raw and "user=alice" not in e.raw])
    assert raws(ctx, "search user!=alice") == expected


def test_not_includes_events_without_the_field(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("main") if "user=alice" not in e.raw])
    assert raws(ctx, "search NOT user=alice") == expected


def test_field_star_means_the_field_exists(ctx: FakeContext) -> None:
    assert raws(ctx, "search latency=*") == newest_first([e for e in in_index("main") if "latency=" in e.raw])


def test_numeric_comparisons(ctx: FakeContext) -> None:
    latencies = {e.raw: int(m.group(1)) for e in in_index("main") if (m := re.search(r"latency=(\d+)", e.raw))}
    with_latency = [e for e in in_index("main") if e.raw in latencies]
    checks = {
        "latency>10": lambda v: v > 10,
        "latency<=12": lambda v: v <= 12,
        "latency>=30": lambda v: v >= 30,
        "latency<8": lambda v: v < 8,
    }
    for term, holds in checks.items():
        assert raws(ctx, f"search {term}") == newest_first([e for e in with_latency if holds(latencies[e.raw])])


def test_status_comparison_on_extracted_access_fields(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("web") if int(e.raw.split('" ')[1].split()[0]) >= 500])
    assert raws(ctx, "search index=web status>=500") == expected


def test_or_binds_tighter_than_implicit_and(ctx: FakeContext) -> None:
    main = in_index("main")
    expected = newest_first([e for e in main if "status=ok" in e.raw and ("alice" in e.raw or "disk" in e.raw)])
    assert raws(ctx, "search status=ok alice OR disk") == expected


def test_explicit_and_parentheses_and_not(ctx: FakeContext) -> None:
    main = in_index("main")
    expected = newest_first([e for e in main if "login" in e.raw and "bob" not in e.raw])
    assert raws(ctx, "search login AND NOT (bob OR carol)") == expected


def test_lowercase_or_is_a_plain_term(ctx: FakeContext) -> None:
    assert raws(ctx, "search alice or bob") == []


def test_indexed_field_filters(ctx: FakeContext) -> None:
    everything = in_index("main", "web", "security")
    assert raws(ctx, "search index=* host=web-0*") == newest_first(
        [e for e in everything if e.host.startswith("web-0")]
    )
    assert raws(ctx, "search index=* sourcetype=linux_secure") == newest_first(
        [e for e in everything if e.sourcetype == "linux_secure"]
    )
    assert raws(ctx, "search index=* source=*secure") == newest_first(
        [e for e in everything if e.source.endswith("secure")]
    )


def test_value_with_equals_sign_runs_to_the_next_space(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("web") if "/cart?item=42 " in e.raw])
    assert raws(ctx, "search index=web uri=/cart?item=42") == expected


def test_job_time_range_and_inline_override() -> None:
    ctx = FakeContext([event(30, "a"), event(300, "b"), event(4000, "c")])
    assert raws(ctx, "search *", earliest_time="-10m", latest_time="now") == ["a", "b"]
    assert raws(ctx, "search earliest=-1m *", earliest_time="-10m") == ["a"]
    assert raws(ctx, "search *", earliest_time="-2h", latest_time="-1m") == ["b", "c"]
    result = run(ctx, "search latest=-1m")
    assert (result.earliest, result.latest) == (None, NOW - 60)


def test_earliest_is_inclusive_and_latest_exclusive() -> None:
    ctx = FakeContext([event(60, "edge-early"), event(0, "edge-late")])
    assert raws(ctx, "search *", earliest_time=str(NOW - 60), latest_time=str(NOW)) == ["edge-early"]


def test_counts_events_scanned_and_matched(ctx: FakeContext) -> None:
    result = run(ctx, "search index=web status=200")
    web = in_index("web")
    assert result.scan_count == len(web)
    assert result.event_count == len([e for e in web if '" 200 ' in e.raw])
    assert not result.is_reporting
    assert result.events == result.results


def test_mid_pipeline_search_filters_rows(ctx: FakeContext) -> None:
    expected = newest_first([e for e in in_index("web") if "10.0.0.1 " in e.raw and "POST" not in e.raw])
    assert raws(ctx, "search index=web | search clientip=10.0.0.1 NOT method=POST") == expected


def many_events(count: int) -> list[Event]:
    return [event(float(i), f"n={i}") for i in range(count)]


def test_progress_is_reported_while_scanning() -> None:
    ctx = FakeContext(many_events(5000))
    calls: list[tuple[float, int, int]] = []
    run_search(parse_search("search n=*", ctx), ctx, progress=lambda *args: calls.append(args))
    assert [scanned for _, scanned, _ in calls[:-1]] == [2000, 4000]
    assert calls[-1] == (1.0, 5000, 5000)


def test_should_stop_cancels_the_search() -> None:
    ctx = FakeContext(many_events(5000))
    checks: list[int] = []

    def should_stop() -> bool:
        checks.append(1)
        return len(checks) > 1

    with pytest.raises(SearchCancelled):
        run_search(parse_search("search *", ctx), ctx, should_stop=should_stop)
