"""Generating commands and role isolation: makeresults, metadata, tstats, eventcount, rest, inputlookup."""

from __future__ import annotations

from collections import Counter

import pytest

from mcp_splunk.sandbox.spl import SplError, parse_search
from tests.sandbox.spl.spl_engine_support import NOW, FakeContext, corpus, rendered, run

ALLOWED = ("main", "web", "security")  # non-internal searchable indexes of the fixture role


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(
        corpus(),
        rest_rows={
            "/services/data/indexes": [
                {"title": "main", "id": "x/main", "splunk_server": "sandbox", "author": "nobody", "totalEventCount": 4},
                {"title": "web", "id": "x/web", "splunk_server": "sandbox", "author": "nobody", "totalEventCount": 5},
            ]
        },
    )


def test_makeresults_rows_carry_the_search_time(ctx: FakeContext) -> None:
    assert rendered(ctx, "| makeresults") == [{"_time": rendered(ctx, "| makeresults")[0]["_time"]}]
    result = run(ctx, "| makeresults count=3")
    assert [row["_time"] for row in result.results] == [float(int(NOW))] * 3
    assert result.scan_count == 0


def test_metadata_hosts_over_the_search_range(ctx: FakeContext) -> None:
    rows = rendered(ctx, "| metadata type=hosts index=*", earliest_time="-2h")
    events = [e for e in corpus() if e.index in ALLOWED and e.time >= NOW - 7200]
    expected = []
    for host in sorted({e.host for e in events}):
        times = [e.time for e in events if e.host == host]
        expected.append(
            {
                "host": host,
                "firstTime": str(int(min(times))),
                "lastTime": str(int(max(times))),
                "recentTime": str(int(max(times))),
                "totalCount": str(len(times)),
                "type": "hosts",
            }
        )
    assert rows == expected


@pytest.mark.parametrize(("kind", "field"), [("sources", "source"), ("sourcetypes", "sourcetype")])
def test_metadata_sources_and_sourcetypes(ctx: FakeContext, kind: str, field: str) -> None:
    result = run(ctx, f"| metadata type={kind} index=web index=security")
    values = Counter(getattr(e, field) for e in corpus() if e.index in ("web", "security"))
    assert result.fields == [field, "firstTime", "lastTime", "recentTime", "totalCount", "type"]
    assert {row[field]: int(row["totalCount"]) for row in result.results} == values


def test_tstats_count_by_indexed_field(ctx: FakeContext) -> None:
    counts = Counter(e.sourcetype for e in corpus() if e.index in ALLOWED)
    assert rendered(ctx, "| tstats count where index=* by sourcetype") == [
        {"sourcetype": st, "count": str(n)} for st, n in sorted(counts.items())
    ]


def test_tstats_where_clause_boolean_logic_and_functions(ctx: FakeContext) -> None:
    events = [e for e in corpus() if e.index == "web" and not e.host.endswith("2")]
    rows = rendered(ctx, "| tstats count dc(host) AS hosts min(_time) max(_time) where index=web NOT host=*2")
    assert rows == [
        {
            "count": str(len(events)),
            "hosts": str(len({e.host for e in events})),
            "min(_time)": str(int(min(e.time for e in events))),
            "max(_time)": str(int(max(e.time for e in events))),
        }
    ]


def test_tstats_by_time_span(ctx: FakeContext) -> None:
    rows = run(ctx, "| tstats count where index=web by _time span=1h").results
    counts = Counter((e.time // 3600) * 3600 for e in corpus() if e.index == "web")
    assert [(row["_time"], row["count"]) for row in rows] == [(t, str(n)) for t, n in sorted(counts.items())]


def test_tstats_rejects_unsupported_functions() -> None:
    with pytest.raises(SplError, match="Error in 'tstats' command"):
        parse_search("| tstats avg(bytes)")


def test_eventcount_summarized_and_per_index(ctx: FakeContext) -> None:
    per_index = Counter(e.index for e in corpus() if e.index in ALLOWED)
    assert rendered(ctx, "| eventcount index=*") == [{"count": str(sum(per_index.values()))}]
    assert rendered(ctx, "| eventcount summarize=false index=*") == [
        {"count": str(per_index[name]), "index": name, "server": "sandbox"} for name in ALLOWED
    ]


def test_eventcount_without_index_counts_the_default_indexes(ctx: FakeContext) -> None:
    assert rendered(ctx, "| eventcount") == [{"count": str(sum(1 for e in corpus() if e.index == "main"))}]


def test_rest_returns_context_rows_with_count(ctx: FakeContext) -> None:
    rows = rendered(ctx, "| rest /services/data/indexes count=1 | table title totalEventCount")
    assert rows == [{"title": "main", "totalEventCount": "4"}]
    assert ctx.rest_calls[-1] == ("/services/data/indexes", {"count": "1"})


def test_rest_splunk_server_filter(ctx: FakeContext) -> None:
    assert len(run(ctx, "| rest /services/data/indexes splunk_server=local").results) == 2
    assert run(ctx, "| rest /services/data/indexes splunk_server=other").results == []


def test_rest_unknown_endpoint_is_an_spl_error(ctx: FakeContext) -> None:
    with pytest.raises(SplError, match="Error in 'rest' command"):
        run(ctx, "| rest /services/nosuch")


def test_inputlookup_with_where_and_max() -> None:
    table = [{"host": f"h{i}", "tier": "gold" if i % 2 else "silver", "n": str(i)} for i in range(6)]
    ctx = FakeContext([], lookups={"hosts.csv": table})
    assert rendered(ctx, "| inputlookup hosts.csv") == table
    assert rendered(ctx, "| inputlookup hosts.csv where tier=gold n>1") == [
        r for r in table if r["tier"] == "gold" and int(r["n"]) > 1
    ]
    assert rendered(ctx, "| inputlookup max=2 hosts.csv") == table[:2]


def test_inputlookup_unknown_table_is_an_spl_error() -> None:
    with pytest.raises(SplError, match="The lookup table 'nope' does not exist"):
        run(FakeContext([]), "| inputlookup nope")


def test_generating_command_must_come_first() -> None:
    with pytest.raises(SplError) as info:
        parse_search("search x | makeresults")
    assert str(info.value) == "Error in 'makeresults' command: This command must be the first command of a search."


# ---- role isolation: an index outside searchable_indexes() is never read -------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "search index=secret",
        "search index=* payroll",
        "search index=s*",
        "| metadata type=hosts index=secret",
        "| metadata type=hosts index=*",
        "| tstats count where index=secret",
        "| tstats count where index=* by index",
        "| eventcount summarize=false index=*",
        "| eventcount index=secret",
    ],
)
def test_forbidden_index_is_never_read(query: str) -> None:
    ctx = FakeContext(corpus())
    rows = rendered(ctx, query)
    assert "secret" not in ctx.read_indexes
    assert all("vault-01" not in str(row) and row.get("index") != "secret" for row in rows)


def test_eventcount_and_tstats_see_only_searchable_indexes() -> None:
    ctx = FakeContext(corpus(), searchable=["web"], defaults=["web"])
    assert rendered(ctx, "| eventcount summarize=false index=*") == [
        {"count": str(sum(1 for e in corpus() if e.index == "web")), "index": "web", "server": "sandbox"}
    ]
    assert rendered(ctx, "| tstats count where index=* by index") == [
        {"index": "web", "count": str(sum(1 for e in corpus() if e.index == "web"))}
    ]
    assert set(ctx.read_indexes) <= {"web"}
