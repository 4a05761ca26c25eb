"""Row-shaping commands: fields, table, rename, sort, head, tail, dedup, fillnull, rex, spath, lookup, bin."""

from __future__ import annotations

import json
import re

import pytest

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl import SplError, parse_search
from tests.sandbox.spl.spl_engine_support import FakeContext, event, rendered, run

PEOPLE = [
    ("alice", 30, "NY"),
    ("bob", 9, "LA"),
    ("carol", 100, "NY"),
    ("dave", 30, "SF"),
    ("erin", 5, "LA"),
]


def people() -> list[Event]:
    # oldest first; the search returns them newest first, i.e. in reverse
    return [event(100 - i, f"name={n} age={a} city={c}") for i, (n, a, c) in enumerate(PEOPLE)]


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(people())


NEWEST_FIRST = list(reversed(PEOPLE))


def test_fields_keeps_listed_fields_and_internal_ones(ctx: FakeContext) -> None:
    result = run(ctx, "search * | fields name, a*")
    assert result.fields == ["name", "age", "_time", "_raw"]
    assert [(r["name"], r["age"]) for r in result.results] == [(n, str(a)) for n, a, _ in NEWEST_FIRST]


def test_fields_minus_removes_fields(ctx: FakeContext) -> None:
    result = run(ctx, "search * | fields - _raw, city, linecount")
    assert "city" not in result.fields
    assert "_raw" not in result.fields
    assert "linecount" not in result.fields
    assert "name" in result.fields


def test_table_orders_columns_and_keeps_named_empty_columns(ctx: FakeContext) -> None:
    result = run(ctx, "search * | table city name nosuch")
    assert result.fields == ["city", "name", "nosuch"]
    assert [render for render in rendered(ctx, "search * | table city name nosuch")] == [
        {"city": c, "name": n} for n, _, c in NEWEST_FIRST
    ]


def test_table_wildcards(ctx: FakeContext) -> None:
    assert run(ctx, "search * | table n* c*").fields == ["name", "city"]


def test_rename_plain_quoted_and_wildcard(ctx: FakeContext) -> None:
    rows = rendered(ctx, 'search * | rename name AS "Full Name", c* AS town_* | table "Full Name" town_ity')
    assert rows == [{"Full Name": n, "town_ity": c} for n, _, c in NEWEST_FIRST]


def test_rename_keeps_column_position_and_replaces_existing(ctx: FakeContext) -> None:
    result = run(ctx, "search * | table name age city | rename age AS city")
    assert result.fields == ["name", "city"]
    assert [r["city"] for r in result.results] == [str(a) for _, a, _ in NEWEST_FIRST]


def test_sort_numeric_descending_then_lexical(ctx: FakeContext) -> None:
    expected = sorted(PEOPLE, key=lambda p: (-p[1], p[0]))
    assert [r["name"] for r in rendered(ctx, "search * | sort -age, name")] == [p[0] for p in expected]


def test_sort_str_forces_lexical_order(ctx: FakeContext) -> None:
    expected = sorted(PEOPLE, key=lambda p: str(p[1]))
    assert [r["age"] for r in rendered(ctx, "search * | sort str(age)")] == [str(p[1]) for p in expected]


def test_sort_limit_and_trailing_desc(ctx: FakeContext) -> None:
    expected = sorted(PEOPLE, key=lambda p: p[0], reverse=True)[:2]
    assert [r["name"] for r in rendered(ctx, "search * | sort 2 name desc")] == [p[0] for p in expected]
    assert [r["name"] for r in rendered(ctx, "search * | sort limit=2 - name")] == [p[0] for p in expected]


def test_sort_puts_rows_without_the_field_last() -> None:
    ctx = FakeContext([event(3, "v=2"), event(2, "other"), event(1, "v=10")])
    assert [r.get("v") for r in rendered(ctx, "search * | sort v")] == ["2", "10", None]
    assert [r.get("v") for r in rendered(ctx, "search * | sort -v")] == ["10", "2", None]


def test_sort_default_limit_is_ten_thousand() -> None:
    ctx = FakeContext([event(i / 1000, f"n={i}") for i in range(10005)])
    assert len(run(ctx, "search * | sort n").results) == 10000
    assert len(run(ctx, "search * | sort 0 n").results) == 10005


def test_head_and_tail(ctx: FakeContext) -> None:
    names = [n for n, _, _ in NEWEST_FIRST]
    assert [r["name"] for r in rendered(ctx, "search * | head 2")] == names[:2]
    assert [r["name"] for r in rendered(ctx, "search * | head limit=3")] == names[:3]
    assert [r["name"] for r in rendered(ctx, "search * | tail 2")] == list(reversed(names[-2:]))


def test_head_defaults_to_ten() -> None:
    ctx = FakeContext([event(i, f"n={i}") for i in range(15)])
    assert len(run(ctx, "search * | head").results) == 10
    assert len(run(ctx, "search * | tail").results) == 10


def test_dedup_keeps_the_first_of_each_value(ctx: FakeContext) -> None:
    seen: list[str] = []
    expected = [n for n, _, c in NEWEST_FIRST if not (c in seen or seen.append(c))]
    assert [r["name"] for r in rendered(ctx, "search * | dedup city")] == expected


def test_dedup_count_consecutive_keepempty_and_sortby() -> None:
    # newest first: n=5 k=a, n=4 (no k), n=3 k=b, n=2 k=a, n=1 k=a
    ctx = FakeContext(
        [event(5, "k=a n=1"), event(4, "k=a n=2"), event(3, "k=b n=3"), event(2, "n=4"), event(1, "k=a n=5")]
    )
    rows = [("5", "a"), ("4", None), ("3", "b"), ("2", "a"), ("1", "a")]
    with_k = [(n, k) for n, k in rows if k is not None]
    two_per_key = [n for i, (n, k) in enumerate(with_k) if [kk for _, kk in with_k[:i]].count(k) < 2]
    assert [r["n"] for r in rendered(ctx, "search * | dedup 2 k")] == two_per_key
    consecutive = [n for i, (n, k) in enumerate(with_k) if i == 0 or with_k[i - 1][1] != k]
    assert [r["n"] for r in rendered(ctx, "search * | dedup k consecutive=true")] == consecutive
    keepempty = [n for i, (n, k) in enumerate(rows) if k is None or k not in [kk for _, kk in rows[:i]]]
    assert [r["n"] for r in rendered(ctx, "search * | dedup k keepempty=true")] == keepempty
    firsts = [n for i, (n, k) in enumerate(with_k) if k not in [kk for _, kk in with_k[:i]]]
    assert [r["n"] for r in rendered(ctx, "search * | dedup k sortby +n")] == sorted(firsts, key=int)


def test_fillnull_fills_missing_fields(ctx: FakeContext) -> None:
    rows = rendered(FakeContext([event(2, "a=1"), event(1, "b=2")]), "search * | fillnull | table a b")
    assert rows == [{"a": "0", "b": "2"}, {"a": "1", "b": "0"}]
    rows = rendered(FakeContext([event(2, "a=1"), event(1, "b=2")]), "search * | fillnull value=NA a | table a b")
    assert rows == [{"a": "NA", "b": "2"}, {"a": "1"}]


def test_rex_named_groups_and_field_option(ctx: FakeContext) -> None:
    rows = rendered(ctx, 'search * | rex "name=(?<first>\\w)(?<rest>\\w+)" | table first rest')
    assert rows == [{"first": n[0], "rest": n[1:]} for n, _, _ in NEWEST_FIRST]
    rows = rendered(ctx, 'search * | rex field=city "(?<initial>^.)" | table initial')
    assert rows == [{"initial": c[0]} for _, _, c in NEWEST_FIRST]


def test_rex_max_match_gives_multivalue() -> None:
    ctx = FakeContext([event(1, "ids 10 20 30")])
    assert rendered(ctx, 'search * | rex max_match=0 "(?<id>\\d+)" | table id') == [{"id": ["10", "20", "30"]}]
    assert rendered(ctx, 'search * | rex max_match=2 "(?<id>\\d+)" | table id') == [{"id": ["10", "20"]}]


def test_rex_sed_mode_rewrites_the_field() -> None:
    ctx = FakeContext([event(1, "card=1234-5678-9999")])
    rows = rendered(ctx, 'search * | rex field=_raw mode=sed "s/\\d{4}-/XXXX-/g" | table _raw')
    assert rows == [{"_raw": "card=XXXX-XXXX-9999"}]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('| makeresults | rex "(?<x>"', "Error in 'rex' command: Regex:"),
        ('| makeresults | rex "no groups"', "does not extract anything"),
        ("| makeresults | rex field=a", "must be one double-quoted string"),
        ('| makeresults | rex mode=sed "x/a/b/"', "Invalid sed expression"),
    ],
)
def test_rex_errors(query: str, message: str) -> None:
    with pytest.raises(SplError) as info:
        parse_search(query)
    assert message in str(info.value)


def test_spath_paths_arrays_and_auto_extraction() -> None:
    document = {"a": {"b": 1, "c": [{"d": "x"}, {"d": "y"}]}, "tags": ["t1", "t2"]}
    ctx = FakeContext([event(1, json.dumps(document))])
    rows = rendered(
        ctx, "search * | spath path=a.b | spath output=ds path=a.c{}.d | spath tags{1} | table a.b ds tags{1}"
    )
    assert rows == [{"a.b": "1", "ds": ["x", "y"], "tags{1}": "t2"}]
    rows = rendered(ctx, "search * | spath | table a.b a.c{}.d tags{}")
    assert rows == [{"a.b": "1", "a.c{}.d": ["x", "y"], "tags{}": ["t1", "t2"]}]


def test_spath_input_field() -> None:
    ctx = FakeContext([event(1, 'payload="{\\"k\\": \\"v\\"}"')])
    assert rendered(ctx, "search * | spath input=payload path=k | table k") == [{"k": "v"}]


STATUS_TABLE = [
    {"status": "200", "description": "OK", "class": "success"},
    {"status": "404", "description": "Not Found", "class": "client"},
    {"status": "500", "description": "Server Error", "class": "server"},
]


def test_lookup_outputs_every_other_column_by_default() -> None:
    ctx = FakeContext([event(2, "code=404"), event(1, "code=999")], lookups={"http_status.csv": STATUS_TABLE})
    rows = rendered(ctx, "search * | lookup http_status.csv status AS code | table code description class")
    assert rows == [{"code": "999"}, {"code": "404", "description": "Not Found", "class": "client"}]  # newest first


def test_lookup_output_renames_and_outputnew_keeps_existing() -> None:
    ctx = FakeContext([event(1, "status=200 class=mine"), event(2, "status=500")], lookups={"codes": STATUS_TABLE})
    rows = rendered(ctx, "search * | lookup codes status OUTPUT description AS text | table status text")
    assert rows == [{"status": "200", "text": "OK"}, {"status": "500", "text": "Server Error"}]
    rows = rendered(ctx, "search * | lookup codes status OUTPUTNEW class | table class")
    assert rows == [{"class": "mine"}, {"class": "server"}]


def test_unknown_lookup_is_an_spl_error() -> None:
    ctx = FakeContext([event(1, "a=1")])
    with pytest.raises(SplError, match=re.escape("Could not construct lookup 'nosuch.csv, a'")):
        run(ctx, "search * | lookup nosuch.csv a")


def test_bin_numeric_ranges_and_time_spans() -> None:
    ctx = FakeContext([event(i * 700, f"size={s}") for i, s in enumerate([5, 150, 199, 200, 1234])])
    rows = rendered(ctx, "search * | bin size span=100 AS range | table size range")
    sizes = [5, 150, 199, 200, 1234]  # newest first: offset 0 is the newest event
    assert rows == [{"size": str(s), "range": f"{s // 100 * 100}-{s // 100 * 100 + 100}"} for s in sizes]
    result = run(ctx, "search * | bucket _time span=1h")
    assert all(row["_time"] % 3600 == 0 for row in result.results)
    assert sorted({row["_time"] for row in result.results}) == sorted({(e.time // 3600) * 3600 for e in ctx.all_events})


def test_bin_without_span_picks_a_power_of_ten() -> None:
    ctx = FakeContext([event(1, "v=3"), event(2, "v=250")])
    rows = rendered(ctx, "search * | bin v bins=5")  # (250 - 3) / 5 rounds up to a span of 100
    assert [r["v"] for r in rows] == ["0-100", "200-300"]
