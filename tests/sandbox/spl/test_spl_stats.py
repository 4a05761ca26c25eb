"""Aggregations: stats, eventstats, top, rare, timechart, chart."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest

from mcp_splunk.sandbox.spl import SplError, parse_search
from tests.sandbox.spl.spl_engine_support import NOW, FakeContext, event, rendered, run

# (seconds before NOW, host, status, bytes, user or None)
ROWS = [
    (30, "web-01", 200, 100, "alice"),
    (90, "web-02", 500, 250, None),
    (150, "web-01", 404, 30, "bob"),
    (400, "web-03", 200, 75, "alice"),
    (700, "web-02", 200, 500, "carol"),
    (1300, "web-01", 500, 10, "alice"),
]


@pytest.fixture
def ctx() -> FakeContext:
    events = []
    for offset, host, status, size, user in ROWS:
        raw = f"status={status} bytes={size}" + (f" user={user}" if user else "")
        events.append(event(offset, raw, host=host))
    return FakeContext(events)


def by_host() -> dict[str, list[tuple[int, str, int, int, str | None]]]:
    groups: dict[str, list[tuple[int, str, int, int, str | None]]] = {}
    for row in ROWS:
        groups.setdefault(row[1], []).append(row)
    return dict(sorted(groups.items()))


def test_stats_count_without_by_gives_one_row(ctx: FakeContext) -> None:
    result = run(ctx, "search * | stats count")
    assert result.is_reporting
    assert rendered(ctx, "search * | stats count") == [{"count": str(len(ROWS))}]
    assert len(result.events) == len(ROWS)


def test_stats_count_on_no_events_is_zero(ctx: FakeContext) -> None:
    assert rendered(ctx, "search nomatch | stats count") == [{"count": "0"}]


def test_stats_count_by_host_sorts_groups_by_key(ctx: FakeContext) -> None:
    result = run(ctx, "search * | stats count by host")
    assert result.fields == ["host", "count"]
    assert rendered(ctx, "search * | stats count by host") == [
        {"host": host, "count": str(len(rows))} for host, rows in by_host().items()
    ]


def test_stats_aggregates_with_aliases(ctx: FakeContext) -> None:
    query = (
        "search * | stats count(user) AS users, dc(user), sum(bytes) AS total, avg(bytes) AS mean, "
        "min(bytes), max(bytes), range(bytes), median(bytes), values(status), list(status), "
        "first(status), last(status), earliest(status), latest(status) by host"
    )
    expected = []
    for host, rows in by_host().items():
        sizes = [r[3] for r in rows]
        users = [r[4] for r in rows if r[4]]
        newest_first = sorted(rows, key=lambda r: r[0])  # smaller offset = newer
        expected.append(
            {
                "host": host,
                "users": str(len(users)),
                "dc(user)": str(len(set(users))),
                "total": str(sum(sizes)),
                "mean": str(sum(sizes) / len(sizes)) if sum(sizes) % len(sizes) else str(sum(sizes) // len(sizes)),
                "min(bytes)": str(min(sizes)),
                "max(bytes)": str(max(sizes)),
                "range(bytes)": str(max(sizes) - min(sizes)),
                "median(bytes)": format(statistics.median(sizes), "g"),
                "values(status)": sorted({str(r[2]) for r in rows}),
                "list(status)": [str(r[2]) for r in newest_first],
                "first(status)": str(newest_first[0][2]),
                "last(status)": str(newest_first[-1][2]),
                "earliest(status)": str(newest_first[-1][2]),
                "latest(status)": str(newest_first[0][2]),
            }
        )
    rows = rendered(ctx, query)
    for row in rows:  # single values render as plain strings
        for key in ("values(status)", "list(status)"):
            if isinstance(row[key], str):
                row[key] = [row[key]]
    assert rows == expected


def test_stats_avg_keeps_full_precision() -> None:
    ctx = FakeContext([event(1, "v=1"), event(2, "v=1"), event(3, "v=2")])
    assert rendered(ctx, "search * | stats avg(v) mean(v)") == [{"avg(v)": repr(4 / 3), "mean(v)": repr(4 / 3)}]


def test_stats_stdev_var_mode_and_distinct_count() -> None:
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    ctx = FakeContext([event(i, f"v={v}") for i, v in enumerate(values)])
    row = rendered(ctx, "search * | stats stdev(v), var(v), mode(v), distinct_count(v)")[0]
    assert float(row["stdev(v)"]) == pytest.approx(statistics.stdev(values))
    assert float(row["var(v)"]) == pytest.approx(statistics.variance(values))
    assert row["mode(v)"] == str(statistics.mode(values))
    assert row["distinct_count(v)"] == str(len(set(values)))


def test_stats_drops_rows_with_a_null_by_field(ctx: FakeContext) -> None:
    counts = Counter(r[4] for r in ROWS if r[4])
    assert rendered(ctx, "search * | stats count by user") == [
        {"user": user, "count": str(n)} for user, n in sorted(counts.items())
    ]


def test_stats_by_two_fields(ctx: FakeContext) -> None:
    counts = Counter((r[1], str(r[2])) for r in ROWS)
    expected = sorted(counts.items(), key=lambda item: (item[0][0], int(item[0][1])))
    assert rendered(ctx, "search * | stats count by host, status") == [
        {"host": h, "status": s, "count": str(n)} for (h, s), n in expected
    ]


def test_stats_multivalue_by_field_counts_each_value() -> None:
    ctx = FakeContext([event(1, "x"), event(2, "y")])
    rows = rendered(ctx, '| makeresults | eval tag=split("a,b", ",") | stats count by tag')
    assert rows == [{"tag": "a", "count": "1"}, {"tag": "b", "count": "1"}]


def test_eventstats_adds_group_aggregates_to_every_row(ctx: FakeContext) -> None:
    totals = {host: sum(r[3] for r in rows) for host, rows in by_host().items()}
    rows = rendered(ctx, "search * | eventstats sum(bytes) AS host_total by host | table host host_total")
    newest_first = sorted(ROWS, key=lambda r: r[0])
    assert rows == [{"host": r[1], "host_total": str(totals[r[1]])} for r in newest_first]
    assert not run(ctx, "search * | eventstats count").is_reporting


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("search * | stats", "Missing a statistical function"),
        ("search * | stats nosuch(x)", "Unknown or unsupported statistical function 'nosuch'"),
        ("search * | stats avg", "requires a field name"),
        ("search * | stats count(a b)", "must be one field name"),
    ],
)
def test_stats_argument_errors(query: str, message: str) -> None:
    with pytest.raises(SplError) as info:
        parse_search(query)
    assert str(info.value).startswith("Error in 'stats' command: ")
    assert message in str(info.value)


def test_top_counts_and_percent_with_six_decimals(ctx: FakeContext) -> None:
    counts = Counter(str(r[2]) for r in ROWS)
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    expected = [{"status": s, "count": str(n), "percent": f"{n * 100 / len(ROWS):.6f}"} for s, n in ranked]
    assert rendered(ctx, "search * | top status") == expected
    assert rendered(ctx, "search * | top limit=1 status") == expected[:1]
    assert run(ctx, "search * | top status").fields == ["status", "count", "percent"]


def test_top_options_and_by_clause(ctx: FakeContext) -> None:
    rows = rendered(ctx, "search * | top limit=1 status by host countfield=n showperc=false useother=true")
    expected = []
    for host, members in by_host().items():
        counts = Counter(str(r[2]) for r in members)
        (best, n), *rest = sorted(counts.items(), key=lambda item: -item[1])
        expected.append({"host": host, "status": best, "n": str(n)})
        if rest:
            expected.append({"host": host, "status": "OTHER", "n": str(sum(c for _, c in rest))})
    assert rows == expected


def test_rare_lists_least_common_first(ctx: FakeContext) -> None:
    counts = Counter(r[1] for r in ROWS)
    rows = rendered(ctx, "search * | rare host")
    assert [int(r["count"]) for r in rows] == sorted(counts.values())
    assert {r["host"]: int(r["count"]) for r in rows} == counts


def bucket(offset: float, span: int) -> float:
    return (NOW - offset) // span * span


def test_timechart_count_fills_every_bucket_of_the_range(ctx: FakeContext) -> None:
    result = run(ctx, "search * | timechart span=5m count", earliest_time="-30m", latest_time="now")
    first, last = (NOW - 1800) // 300 * 300, (NOW - 1e-6) // 300 * 300
    expected_times = [first + 300 * i for i in range(int((last - first) / 300) + 1)]
    assert [row["_time"] for row in result.results] == expected_times
    counts = Counter(bucket(r[0], 300) for r in ROWS if r[0] <= 1800)
    assert [row["count"] for row in result.results] == [str(counts.get(t, 0)) for t in expected_times]
    assert {row["_span"] for row in result.results} == {"300"}
    assert result.fields == ["_time", "count", "_span"]


def test_timechart_by_field_with_limit_and_other(ctx: FakeContext) -> None:
    result = run(ctx, "search * | timechart span=1h count by host limit=2", earliest_time="-1h", latest_time="now")
    totals = Counter(r[1] for r in ROWS)
    kept = sorted(host for host, _ in totals.most_common(2))
    assert result.fields == ["_time", *kept, "OTHER", "_span"]
    cells: Counter[tuple[float, str]] = Counter()
    for offset, host, *_ in ROWS:
        cells[(bucket(offset, 3600), host if host in kept else "OTHER")] += 1
    for row in result.results:
        for series in [*kept, "OTHER"]:
            assert row[series] == str(cells.get((row["_time"], series), 0))


def test_timechart_avg_leaves_empty_buckets_blank(ctx: FakeContext) -> None:
    rows = rendered(ctx, "search * | timechart span=1m avg(bytes) AS b", earliest_time="-30m", latest_time="now")
    filled = [row for row in rows if "b" in row]
    assert len(filled) == len({bucket(r[0], 60) for r in ROWS})
    assert len(rows) > len(filled)


def test_timechart_default_span_keeps_at_most_100_buckets(ctx: FakeContext) -> None:
    result = run(ctx, "search * | timechart count", earliest_time="-24h", latest_time="now")
    assert result.results[0]["_span"] == "1800"  # 15m would need 96 buckets, but 15m is not a default span
    assert len(result.results) <= 100


def test_chart_count_by_two_fields(ctx: FakeContext) -> None:
    result = run(ctx, "search * | chart count by host status")
    statuses = sorted({r[2] for r in ROWS})
    assert result.fields == ["host", *[str(s) for s in statuses]]
    cells = Counter((r[1], str(r[2])) for r in ROWS)
    assert rendered(ctx, "search * | chart count by host status") == [
        {"host": host, **{str(s): str(cells.get((host, str(s)), 0)) for s in statuses}} for host in by_host()
    ]
