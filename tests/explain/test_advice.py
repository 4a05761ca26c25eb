"""Cost warnings, table-driven: what a Splunk expert says on reading each search (written before running them)."""

from __future__ import annotations

import pytest

from mcp_splunk.explain import explain
from mcp_splunk.tools.jobs import normalize_query

DAY = "-24h"
ALL_TIME = None

# (query, the job's earliest time, the warning codes an expert gives, in any order)
CASES: dict[str, tuple[str, str | None, list[str]]] = {
    "a named index, a filter and a search-time field": ("index=web status>=500 | stats count by clientip", DAY, []),
    "no index: the role's default indexes": ("error | stats count by host", DAY, ["no-index"]),
    "only a sourcetype is still no index": ("sourcetype=access_combined status=500", DAY, ["no-index"]),
    "index=* reads every index": ("index=* error", DAY, ["all-indexes"]),
    "a leading wildcard term": ("index=web *admin", DAY, ["leading-wildcard"]),
    "a leading wildcard field value": ("index=web user=*admin", DAY, ["leading-wildcard"]),
    "wildcards both ends without an index": ("*error* OR *fail*", DAY, ["no-index", "leading-wildcard"]),
    "a trailing wildcard is fine": ('index=web uri="/api/*"', DAY, []),
    "a wildcarded source is metadata": ("index=web source=*access.log", DAY, []),
    "all time from the arguments": ("index=web status=500 | stats count by clientip", ALL_TIME, ["all-time"]),
    "all time written inline": ("index=web earliest=0 status=500", DAY, ["all-time"]),
    "an inline earliest bounds an unbounded job": ("index=web earliest=-4h status=500", ALL_TIME, []),
    "generated rows have no time range to bound": ("| makeresults count=5 | eval x=1", ALL_TIME, []),
    "a lookup has no time range to bound": ("| inputlookup users.csv", ALL_TIME, []),
    "a from of a lookup reads no index": ("| from lookup:users | stats count by team", ALL_TIME, []),
    "metadata over all indexes and time is cheap": ("| metadata type=hosts index=*", ALL_TIME, []),
    "join on an event subsearch": ("index=web | join user [search index=hr | fields user, dept]", DAY, ["join"]),
    "join on a lookup table": ("index=web | join host [| inputlookup hosts.csv]", DAY, ["join-lookup"]),
    "transaction over events": ("index=web | transaction clientip maxspan=10m", DAY, ["transaction"]),
    "search after stats": (
        "index=web status=500 | stats count by clientip | search count>100",
        DAY,
        ["search-after-stats"],
    ),
    "search after timechart": (
        "index=web status=500 | timechart span=1h count by host | search host=web-01",
        DAY,
        ["search-after-stats"],
    ),
    "where after stats is the right tool": (
        "index=web status=500 | stats count by clientip | where count>100",
        DAY,
        [],
    ),
    "search right after the base search": ("index=web | search status=500", DAY, ["filter-late"]),
    "search on a computed field must come late": ("index=web | eval slow=if(ms>500,1,0) | search slow=1", DAY, []),
    "count by host: tstats": ("index=web | stats count by host", DAY, ["tstats"]),
    "distinct hosts of a sourcetype: tstats": (
        "index=web sourcetype=access_combined | stats dc(host) as hosts",
        DAY,
        ["tstats"],
    ),
    "count per time bucket and host: tstats": (
        "index=web | bin _time span=1h | stats count by _time, host",
        DAY,
        ["tstats"],
    ),
    "a search-time by-field needs the events": ("index=web | stats count by clientip", DAY, []),
    "an average of a search-time field needs the events": ("index=web | stats avg(bytes) by host", DAY, []),
    "a raw term needs the events": ("index=web error | stats count by host", DAY, []),
    "tstats itself": ("| tstats count where index=web by host", DAY, []),
    "a data model search": ("| from datamodel:Web.Web | stats count by status", DAY, ["accelerated-datamodel"]),
    "sort - _time re-sorts events": ("index=web | sort - _time | head 5", DAY, ["sort-time"]),
    "sorting raw events with every field": ("index=web | sort bytes", DAY, ["sort-events"]),
    "sorting the head of the events": ("index=web | head 1000 | sort - bytes", DAY, []),
    "sorting statistics is cheap": ("index=web | stats sum(bytes) as bytes by clientip | sort - bytes", DAY, []),
    "head without sort is not a warning": ("index=web | head 10", DAY, []),
    "dedup before a filter is not a warning": ("index=web | dedup clientip | where status=500", DAY, []),
    "table before stats": (
        "index=web | table clientip, bytes | stats sum(bytes) by clientip",
        DAY,
        ["table-before-stats"],
    ),
    "table at the end": ("index=web status=500 | table _time, clientip, uri", DAY, []),
    "a subsearch without an index": ("index=web [search error | fields clientip]", DAY, ["no-index"]),
    "a leading wildcard in an appended search": (
        "index=web | append [search index=main *timeout]",
        DAY,
        ["leading-wildcard"],
    ),
    "an unexpanded macro may name the index": ("`web_errors` | stats count by clientip", DAY, []),
}


@pytest.mark.parametrize(("query", "earliest", "expected"), CASES.values(), ids=CASES.keys())
def test_each_search_gets_the_warnings_an_expert_gives(query: str, earliest: str | None, expected: list[str]) -> None:
    explanation = explain(normalize_query(query), earliest=earliest)
    assert sorted(explanation.codes) == sorted(expected)


def test_the_table_holds_at_least_twenty_searches_with_a_warning_and_some_without() -> None:
    warned = [case for case in CASES.values() if case[2]]
    assert len(warned) >= 20
    assert len(CASES) - len(warned) >= 10


def test_every_warning_says_what_to_do_and_where() -> None:
    for query, earliest, _ in CASES.values():
        for advice in explain(normalize_query(query), earliest=earliest).warnings:
            assert advice.message.strip()
            assert advice.suggestion.strip()
            assert "pipeline" in advice.location or "subsearch" in advice.location


def test_tstats_rewrite_keeps_the_terms_aggregations_and_groups() -> None:
    (advice,) = explain(normalize_query("index=web sourcetype=access_combined | stats count as n by host")).warnings[:1]
    assert advice.suggestion == "| tstats count as n where index=web sourcetype=access_combined by host"


def test_tstats_rewrite_carries_the_bin_span_and_says_the_pipeline_goes_on() -> None:
    query = normalize_query("index=web | bin _time span=10m | stats count by _time, host | sort - count")
    (advice,) = explain(query, earliest=DAY).warnings
    assert advice.suggestion == "| tstats count where index=web by _time span=10m host | ..."


def test_join_rewrite_searches_both_sides_and_groups_by_the_key() -> None:
    query = normalize_query("index=web | join type=left user [search index=hr | fields user, department]")
    (advice,) = explain(query, earliest=DAY).warnings
    assert advice.suggestion.endswith("(index=web) OR (index=hr) | stats values(*) AS * by user")
    assert advice.location == "top-level pipeline, command 2"


def test_join_on_a_lookup_suggests_the_lookup_command() -> None:
    (advice,) = explain(normalize_query("index=web | join host [| inputlookup hosts.csv]"), earliest=DAY).warnings
    assert advice.suggestion == "| lookup hosts.csv host OUTPUT <fields>"


def test_search_after_stats_suggests_where_with_the_same_condition() -> None:
    query = normalize_query("index=web status=500 | stats count by clientip | search count > 100")
    (advice,) = explain(query, earliest=DAY).warnings
    assert advice.suggestion.endswith("| where count > 100")
    assert advice.location == "top-level pipeline, command 3"


def test_filter_late_moves_the_terms_into_the_base_search() -> None:
    (advice,) = explain(normalize_query("index=web | search status=500"), earliest=DAY).warnings
    assert advice.suggestion.endswith("index=web status=500")


def test_a_warning_in_a_subsearch_is_located_there() -> None:
    (advice,) = explain(normalize_query("index=web [search error | fields clientip]"), earliest=DAY).warnings
    assert advice.code == "no-index"
    assert advice.location == "subsearch in 'search' (command 1)"


def test_all_time_is_reported_once_even_when_several_searches_read_events() -> None:
    query = normalize_query("index=web | append [search index=main] | append [search index=security]")
    assert explain(query).codes == ["all-time"]
