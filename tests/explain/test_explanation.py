"""The explanation itself: steps in order with nested searches linked to their container, time range, indexes,
macros (with and without the target parser's expansion) and the JSON shape."""

from __future__ import annotations

import json

import pytest

from mcp_splunk.explain import explain
from mcp_splunk.spl import SplSyntaxError
from mcp_splunk.tools.jobs import normalize_query

NOW = 1_800_000_000.0


def steps(query: str) -> list[tuple[str, str | None, int, str]]:
    return [(s.id, s.parent, s.depth, s.command) for s in explain(normalize_query(query)).steps]


def test_commands_come_in_order_with_each_nested_search_right_after_its_container() -> None:
    query = "index=web | join type=left user [search index=hr | fields user] | stats count by department"
    assert steps(query) == [
        ("1", None, 0, "search"),
        ("2", None, 0, "join"),
        ("2a.1", "2", 1, "search"),
        ("2a.2", "2", 1, "fields"),
        ("3", None, 0, "stats"),
    ]


def test_several_nested_searches_of_one_command_are_lettered_and_deeper_ones_nest_further() -> None:
    query = "| union [search index=a [search index=b | fields host]] [search index=c]"
    assert steps(query) == [
        ("1", None, 0, "union"),
        ("1a.1", "1", 1, "search"),
        ("1a.1a.1", "1a.1", 2, "search"),
        ("1a.1a.2", "1a.1", 2, "fields"),
        ("1b.1", "1", 1, "search"),
    ]


def test_each_step_shows_the_command_as_written_with_nested_searches_elided() -> None:
    explanation = explain(normalize_query("index=web ```errors``` status>=500 [search index=hr | fields user]"))
    assert explanation.steps[0].spl == "search index=web status>=500 [...]"
    assert explanation.steps[1].spl == "search index=hr"


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("index=web status>=500", 0, "Retrieves the events matching index=web status>=500."),
        ("index=web | search status=500", 1, "Keeps only the rows matching status=500."),
        ("index=web | stats count, avg(bytes) by host", 1, "statistics: count, avg(bytes) for each host"),
        ("index=web | timechart span=1h count by status", 1, "per 1h time bucket, one column per value of status"),
        ("index=web | sort - count", 1, "Sorts the rows by count descending, keeping at most 10,000 rows"),
        ("index=web | sort 0 host", 1, "keeping every row"),
        ("index=web | head", 1, "Keeps the first 10 rows."),
        ("index=web | dedup host", 1, "Keeps only the first row for each distinct host"),
        ("index=web | fields - _raw", 1, "Removes the fields _raw."),
        ("index=web | eval kb=bytes/1024, mb=kb/1024", 1, "Computes the fields kb, mb for each row."),
        ('index=web | rex "user=(?<user>\\w+) ip=(?<ip>\\S+)"', 1, "Extracts user, ip from _raw"),
        (
            "index=web | lookup users.csv user OUTPUT team",
            1,
            "Adds the fields team from lookup users.csv, matching on user",
        ),
        ("index=web | rename clientip AS ip", 1, "Renames clientip to ip."),
        ("| tstats count where index=web by host", 0, "from the indexed fields (tsidx files), without reading raw"),
        ("index=web | collect index=summary", 1, "writes to an index; the gateway refuses it"),
        ("index=web | frobnicate", 1, "'frobnicate' is not a command the gateway knows"),
        ("index=web | addinfo", 1, "'addinfo' adds the search's own time range"),
    ],
)
def test_each_command_is_described_in_plain_words(query: str, position: int, words: str) -> None:
    assert words in explain(normalize_query(query)).steps[position].description


def test_a_nested_search_says_what_its_container_does_with_it() -> None:
    explanation = explain(normalize_query("index=web [search index=hr | fields user] | append [search index=x]"))
    roles = {step.id: step.nested_role for step in explanation.steps if step.nested_role}
    assert "its rows become search terms of 'search'" in roles["1a.1"]
    assert "added after the current rows" in roles["2a.1"]


def test_the_time_range_comes_from_the_arguments_in_plain_words() -> None:
    time_range = explain("search index=web", earliest="-24h", latest="now").time_range
    assert (time_range.earliest, time_range.latest, time_range.all_time) == ("-24h", "now", False)
    assert time_range.summary == "from 24 hours ago (-24h) to now"


def test_no_earliest_time_is_all_time() -> None:
    time_range = explain("search index=web").time_range
    assert (time_range.earliest, time_range.all_time, time_range.summary) == (None, True, "all time, up to now")


def test_inline_bounds_override_the_arguments_and_every_one_is_listed() -> None:
    query = "search index=web earliest=-7d latest=-1d [search index=hr earliest=-30d | fields user]"
    time_range = explain(query, earliest="-24h", now=NOW).time_range
    assert (time_range.earliest, time_range.latest) == ("-7d", "-1d")
    assert time_range.summary == "from 7 days ago (-7d) to 1 day ago (-1d) (set inline in the search)"
    assert time_range.inline == (
        "earliest=-7d (top-level pipeline, command 1)",
        "latest=-1d (top-level pipeline, command 1)",
        "earliest=-30d (subsearch in 'search' (command 1))",
    )


def test_an_epoch_zero_earliest_is_all_time() -> None:
    assert explain("search index=web", earliest="0").time_range.all_time


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("index=web", [("web", "index")]),
        ("index=web OR index=security", [("web", "index"), ("security", "index")]),
        ("index IN (web, security) NOT index=main", [("web", "index"), ("security", "index")]),
        ('index="web*"', [("web*", "pattern")]),
        ("index=*", [("*", "all")]),
        ("error", [(None, "role default")]),
        ("| tstats count where index=web by host", [("web", "index")]),
        ("| tstats count from datamodel=Web by Web.status", [("Web", "data model")]),
        ("| from datamodel:Web.Web", [("Web.Web", "data model")]),
        ("| datamodel Web Web search", [("Web", "data model")]),
        ("| makeresults | append [search index=main]", [("main", "index")]),
        ("| inputlookup users.csv", []),
        ("`web_errors`", [(None, "unknown")]),
    ],
)
def test_the_indexes_touched(query: str, expected: list[tuple[str | None, str]]) -> None:
    assert [(use.name, use.kind) for use in explain(normalize_query(query)).indexes] == expected


def test_a_macro_without_the_targets_parser_is_reported_unexpanded() -> None:
    explanation = explain("search index=web | `errors_for(500)` | stats count")
    assert [(m.call, m.expanded) for m in explanation.macros] == [("`errors_for(500)`", False)]
    assert explanation.steps[1].command == "`errors_for(500)`"
    assert "known only to the target Splunk" in explanation.steps[1].description
    assert any("`errors_for(500)`" in note and "unexpanded" in note for note in explanation.notes)


def test_with_the_targets_parser_the_macro_body_is_explained_and_judged() -> None:
    # splunkd's search/parser JSON for "search `noisy` | stats count by host", where `noisy` is "error OR fail".
    parsed = {
        "commands": [
            {"command": "search", "rawargs": "error OR fail"},
            {"command": "stats", "rawargs": "count by host"},
        ]
    }
    explanation = explain("search `noisy` | stats count by host", earliest="-24h", parsed=parsed)
    assert [(m.call, m.expanded) for m in explanation.macros] == [("`noisy`", True)]
    assert [step.spl for step in explanation.steps] == ["search error OR fail", "stats count by host"]
    assert [(use.name, use.kind) for use in explanation.indexes] == [(None, "role default")]
    assert explanation.codes == ["no-index"]
    assert explanation.notes == ()


def test_an_unusable_parser_answer_falls_back_to_the_text_and_says_so() -> None:
    explanation = explain("search `noisy`", parsed={"commands": "nope"})
    assert [m.expanded for m in explanation.macros] == [False]
    assert any("parser's expansion was unusable" in note for note in explanation.notes)


def test_malformed_spl_raises_the_syntax_error() -> None:
    with pytest.raises(SplSyntaxError, match="Unbalanced quotes"):
        explain('search index=web "open')


def test_to_dict_is_plain_json_with_the_documented_keys() -> None:
    data = explain(normalize_query("error | stats count by host"), earliest="-1h").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"query", "steps", "time_range", "indexes", "macros", "warnings", "notes"}
    assert isinstance(data["steps"], list)
    assert set(data["warnings"][0]) == {"code", "message", "suggestion", "location"}
    assert data["time_range"]["inline"] == []
