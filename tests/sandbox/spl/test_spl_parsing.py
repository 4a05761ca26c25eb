"""parse_search (errors, macros, comments), describe, refused commands and subsearches."""

from __future__ import annotations

import re

import pytest

from mcp_splunk.sandbox.spl import SplError, UnknownCommandError, describe, parse_search
from mcp_splunk.sandbox.spl.commands.refused import REFUSED
from mcp_splunk.sandbox.spl.context import MacroDefinition
from tests.sandbox.spl.spl_engine_support import FakeContext, corpus, event, rendered, run


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(
        corpus(),
        macros={
            ("web", 0): MacroDefinition("web", (), "index=web ```the web tier```"),
            ("errors_for", 1): MacroDefinition("errors_for(1)", ("code",), "`web` status=$code$"),
            ("loop", 0): MacroDefinition("loop", (), "`loop`"),
            ("named", 1): MacroDefinition("named(1)", ("who",), "user=$who$"),
        },
    )


def test_query_without_search_prefix_is_an_unknown_command() -> None:
    with pytest.raises(UnknownCommandError) as info:
        parse_search("index=web | head 1")
    assert str(info.value) == "Unknown search command 'index'."
    assert info.value.status == 400


def test_unknown_command_message_is_exact() -> None:
    with pytest.raises(UnknownCommandError) as info:
        parse_search("search x | frobnicate 3")
    assert str(info.value) == "Unknown search command 'frobnicate'."


def test_unknown_command_inside_a_subsearch_is_found() -> None:
    with pytest.raises(UnknownCommandError, match="'nosuch'"):
        parse_search("search x [search y | nosuch]")


def test_unbalanced_quotes_and_empty_commands_are_spl_errors() -> None:
    with pytest.raises(SplError, match="Unbalanced quotes"):
        parse_search('search "x')
    with pytest.raises(SplError, match=re.escape("Missing a search command before '|'")):
        parse_search("search x | | head")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("search x | head foo", "Error in 'head' command: Invalid value for limit: 'foo'"),
        ("search x | head 1 2", "Error in 'head' command: Invalid argument: '2'"),
        ("search x | rename a b", "Error in 'rename' command: Usage"),
        ("search x | sort", "Error in 'sort' command: Missing the fields to sort by."),
        ("search x | dedup keepempty=maybe a", "Error in 'dedup' command: Invalid value for keepempty"),
        ("search x | top", "Error in 'top' command: Missing the fields to count."),
        ("search x | timechart span=fortnight count", "Invalid span 'fortnight'"),
        ("search x | table", "Error in 'table' command: Missing the list of fields."),
        ("| metadata type=things", "Error in 'metadata' command: The type argument must be one of"),
        ("search x | join a", "Error in 'join' command: This command requires exactly one subsearch."),
        ("search x | fields", "Error in 'fields' command: Missing the list of fields."),
        ("search x | makeresults", "must be the first command"),
        ("search (x", "Error in 'search' command: Mismatched parentheses."),
        ("search x=", "Error in 'search' command: Expected a value after 'x='."),
    ],
)
def test_bad_arguments_are_reported_per_command(query: str, message: str) -> None:
    with pytest.raises(SplError) as info:
        parse_search(query)
    assert message in str(info.value)


def test_macros_expand_recursively_with_arguments(ctx: FakeContext) -> None:
    parsed = parse_search("search `errors_for(500)` | stats count", ctx)
    assert parsed.text.split() == ["search", "index=web", "status=500", "|", "stats", "count"]
    expected = sum(1 for e in corpus() if e.index == "web" and '" 500 ' in e.raw)
    assert rendered(ctx, "search `errors_for(500)` | stats count") == [{"count": str(expected)}]


def test_quoted_macro_arguments_are_substituted_verbatim(ctx: FakeContext) -> None:
    assert parse_search('search `named("a b")`', ctx).text == 'search user="a b"'


def test_macro_rawargs_in_describe_are_expanded(ctx: FakeContext) -> None:
    info = describe(parse_search("search `web` | head 2", ctx))
    assert info["commands"][0]["rawargs"] == "index=web"


def test_undefined_macro_is_reported(ctx: FakeContext) -> None:
    with pytest.raises(SplError) as info:
        parse_search("search `nosuch(1)`", ctx)
    assert str(info.value).startswith(
        "Error in 'SearchParser': The search specifies a macro 'nosuch(1)' that cannot be found."
    )
    with pytest.raises(SplError, match="macro 'web' that cannot be found"):
        parse_search("search `web`")  # no context: no macros at all


def test_recursive_macro_hits_the_depth_limit(ctx: FakeContext) -> None:
    with pytest.raises(SplError, match="maximum recursion depth"):
        parse_search("search `loop`", ctx)


def test_comments_are_ignored(ctx: FakeContext) -> None:
    with_comments = rendered(ctx, "search index=web ```only web``` | stats count ```by nothing```")
    assert with_comments == rendered(ctx, "search index=web | stats count")


def test_describe_reports_the_events_and_reports_split() -> None:
    info = describe(parse_search("search index=web status=500 | eval x=1 | stats count by host | sort -count"))
    assert info["eventsSearch"] == "search index=web status=500 | eval x=1"
    assert info["reportsSearch"] == "stats count by host | sort -count"
    assert info["remoteSearch"] == "litsearch index=web status=500 | eval x=1"
    assert info["canSummarize"] is True
    assert info["eventsStreaming"] is True
    assert [
        (c["command"], c["rawargs"], c["pipeline"], c["isGenerating"], c["streamType"]) for c in info["commands"]
    ] == [
        ("search", "index=web status=500", "streaming", True, "SP_STREAM"),
        ("eval", "x=1", "streaming", False, "SP_STREAM"),
        ("stats", "count by host", "report", False, "SP_STREAMREPORT"),
        ("sort", "-count", "report", False, "SP_EVENTS"),
    ]
    assert info["commands"][0]["args"] == {"search": ["index=web status=500"]}
    assert info["commands"][2]["args"]["groupby-fields"] == ["host"]


def test_describe_of_a_streaming_only_search() -> None:
    info = describe(parse_search("| makeresults | head 1"))
    assert info["reportsSearch"] == ""
    assert info["canSummarize"] is False
    assert info["eventsStreaming"] is False
    assert info["commands"][0]["isGenerating"] is True


@pytest.mark.parametrize("name", REFUSED)
def test_risky_commands_parse_and_describe_but_refuse_to_run(name: str) -> None:
    query = f"search index=web | {name} something"
    parsed = parse_search(query)
    assert [c["command"] for c in describe(parsed)["commands"]] == ["search", name]
    with pytest.raises(SplError) as info:
        run(FakeContext(corpus()), query)
    assert str(info.value) == f"Error in '{name}' command: This command is not executed by the sandbox."


def test_risky_command_as_generating_command_refuses_too() -> None:
    with pytest.raises(SplError, match="not executed by the sandbox"):
        run(FakeContext(corpus()), "| dbxquery query=x")


def test_risky_command_inside_a_subsearch_refuses() -> None:
    with pytest.raises(SplError, match="'delete' command"):
        run(FakeContext(corpus()), "search index=web [search index=web | delete]")


def test_subsearch_results_become_a_base_search_condition(ctx: FakeContext) -> None:
    rows = rendered(ctx, "search index=web [search index=web status=404 | fields clientip] | table clientip")
    ips = {e.raw.split()[0] for e in corpus() if e.index == "web" and '" 404 ' in e.raw}
    expected = [
        e.raw.split()[0]
        for e in sorted(corpus(), key=lambda e: -e.time)
        if e.index == "web" and e.raw.split()[0] in ips
    ]
    assert [row["clientip"] for row in rows] == expected


def test_empty_subsearch_matches_everything_like_splunk(ctx: FakeContext) -> None:
    everything = rendered(ctx, "search index=web | stats count")
    assert rendered(ctx, "search index=web [search index=web nomatch | fields clientip] | stats count") == everything


def test_format_and_return_produce_search_text() -> None:
    ctx = FakeContext([event(2, "a=1 b=x"), event(1, "a=2 b=y")])
    assert rendered(ctx, "search * | fields a b | format") == [
        {"search": '( ( a="2" AND b="y" ) OR ( a="1" AND b="x" ) )'}
    ]
    assert rendered(ctx, "search * | return a") == [{"search": 'a="2"'}]
    assert rendered(ctx, "search * | return 2 x=a") == [{"search": '(x="2") OR (x="1")'}]
    assert rendered(ctx, "search * | return $b") == [{"search": '"y"'}]


def test_return_in_a_subsearch_filters_the_outer_search() -> None:
    ctx = FakeContext([event(3, "a=1"), event(2, "a=2"), event(1, "pick=1")])
    rows = rendered(ctx, "search a=* [search pick=* | rename pick AS a | return a] | table a")
    assert rows == [{"a": "1"}]


def test_append_adds_subsearch_rows(ctx: FakeContext) -> None:
    rows = rendered(ctx, "search index=web | stats count | append [search index=security | stats count AS sec]")
    assert rows == [
        {"count": str(sum(1 for e in corpus() if e.index == "web"))},
        {"sec": str(sum(1 for e in corpus() if e.index == "security"))},
    ]


def test_join_inner_and_left(ctx: FakeContext) -> None:
    ctx.lookups["owners.csv"] = [{"host": "web-01", "owner": "ops"}]
    inner = rendered(ctx, "search index=web | join host [| inputlookup owners.csv] | table host owner")
    web = sorted((e for e in corpus() if e.index == "web"), key=lambda e: -e.time)
    assert inner == [{"host": "web-01", "owner": "ops"} for e in web if e.host == "web-01"]
    left = rendered(ctx, "search index=web | join type=left host [| inputlookup owners.csv] | table host owner")
    assert left == [{"host": e.host, **({"owner": "ops"} if e.host == "web-01" else {})} for e in web]
