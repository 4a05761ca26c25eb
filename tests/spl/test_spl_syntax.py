"""The shared SPL syntax package: pipeline splitting, comments, macro calls, tokens, errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.spl import (
    OP,
    STRING,
    SUBSEARCH,
    WORD,
    SplSyntaxError,
    find_macro_calls,
    parse_pipeline,
    strip_comments,
    tokenize,
)


def names(text: str) -> list[str]:
    return [command.name for command in parse_pipeline(text).commands]


def test_text_without_leading_pipe_starts_with_an_implicit_search() -> None:
    pipeline = parse_pipeline("index=web status=500 | stats count by host")
    assert not pipeline.leading_pipe
    assert [(c.name, c.args) for c in pipeline.commands] == [
        ("search", "index=web status=500"),
        ("stats", "count by host"),
    ]


def test_explicit_search_keyword_is_the_command_name_in_any_case() -> None:
    pipeline = parse_pipeline("SEARCH index=web")
    assert [(c.name, c.args) for c in pipeline.commands] == [("search", "index=web")]


def test_leading_pipe_makes_the_first_word_the_command_name() -> None:
    pipeline = parse_pipeline("| makeresults count=3 | eval x=1")
    assert pipeline.leading_pipe
    assert [(c.name, c.args) for c in pipeline.commands] == [("makeresults", "count=3"), ("eval", "x=1")]


def test_command_names_are_lower_cased() -> None:
    assert names("search x | STATS count | Head 2") == ["search", "stats", "head"]


def test_offsets_point_at_each_command_in_the_given_text() -> None:
    text = "search a |  stats count |head"
    offsets = [c.offset for c in parse_pipeline(text).commands]
    assert [text[o:].split(maxsplit=1)[0] for o in offsets] == ["search", "stats", "head"]


def test_pipe_inside_double_quotes_does_not_split() -> None:
    pipeline = parse_pipeline('search msg="a|b" | eval x="c\\"|d"')
    assert [c.name for c in pipeline.commands] == ["search", "eval"]
    assert pipeline.commands[1].args == 'x="c\\"|d"'


def test_pipe_inside_brackets_belongs_to_the_subsearch() -> None:
    pipeline = parse_pipeline("search a [search b | fields c [search d | head 1]] | head 5")
    outer = pipeline.commands[0]
    assert [c.name for c in pipeline.commands] == ["search", "head"]
    assert len(outer.subsearches) == 1
    inner = outer.subsearches[0]
    assert [c.name for c in inner.commands] == ["search", "fields"]
    assert [c.name for c in inner.commands[1].subsearches[0].commands] == ["search", "head"]


def test_subsearch_with_leading_pipe_and_implicit_search() -> None:
    pipeline = parse_pipeline("search x [| inputlookup hosts.csv] [index=y | fields host]")
    subs = pipeline.commands[0].subsearches
    assert subs[0].leading_pipe
    assert subs[0].commands[0].name == "inputlookup"
    assert [c.name for c in subs[1].commands] == ["search", "fields"]


def test_subsearch_offsets_are_relative_to_the_whole_text() -> None:
    text = "search a [search b | head 1]"
    head = parse_pipeline(text).commands[0].subsearches[0].commands[1]
    assert text[head.offset :].startswith("head 1")


def test_pipe_inside_a_macro_call_does_not_split() -> None:
    assert names("search `filter(a|b)` | head") == ["search", "head"]


def test_comments_are_removed_before_splitting() -> None:
    pipeline = parse_pipeline("search a ```x | y``` | head 1 ```trailing```")
    assert [(c.name, c.args) for c in pipeline.commands] == [("search", "a"), ("head", "1")]


def test_comment_between_name_letters_does_not_join_them() -> None:
    assert names("| stats```note```count") == ["stats"]
    assert strip_comments("| stats```note```count") == "| stats count"


def test_strip_comments_keeps_quoted_backticks() -> None:
    assert strip_comments('search "```not a comment```" x```c```') == 'search "```not a comment```" x '


def test_unterminated_comment_is_a_syntax_error() -> None:
    with pytest.raises(SplSyntaxError, match="comment"):
        strip_comments("search a ```oops")


def test_empty_command_between_pipes_is_reported() -> None:
    with pytest.raises(SplSyntaxError) as info:
        parse_pipeline("index=x | | head")
    assert "Missing a search command before '|'" in str(info.value)


def test_trailing_pipe_is_reported() -> None:
    with pytest.raises(SplSyntaxError, match="Missing a search command"):
        parse_pipeline("index=x |")


@pytest.mark.parametrize("text", ['search "open', 'search a | eval x="y', 'search [search "x]'])
def test_unbalanced_quotes_are_reported(text: str) -> None:
    with pytest.raises(SplSyntaxError) as info:
        parse_pipeline(text)
    assert str(info.value) == "Unbalanced quotes."


@pytest.mark.parametrize("text", ["search a [search b", "search a ]", "search [a]]"])
def test_unbalanced_brackets_are_reported(text: str) -> None:
    with pytest.raises(SplSyntaxError, match=r"bracket|'\]'"):
        parse_pipeline(text)


def test_empty_text_is_reported() -> None:
    with pytest.raises(SplSyntaxError, match="Empty search"):
        parse_pipeline("   ")


def test_syntax_error_carries_the_offset() -> None:
    with pytest.raises(SplSyntaxError) as info:
        parse_pipeline('search a "b')
    assert info.value.offset == 9


def test_find_macro_calls_with_and_without_arguments() -> None:
    text = 'search `web` `errors(500, "a, b")` "`quoted`"'
    calls = find_macro_calls(text)
    assert [(c.name, c.args) for c in calls] == [("web", ()), ("errors", ("500", '"a, b"'))]
    assert [text[c.start : c.end] for c in calls] == ["`web`", '`errors(500, "a, b")`']


def test_find_macro_calls_ignores_comments() -> None:
    assert find_macro_calls("search a ```uses `m` here``` `n`")[0].name == "n"


def test_unbalanced_backtick_is_a_syntax_error() -> None:
    with pytest.raises(SplSyntaxError):
        find_macro_calls("search `m")


def test_tokenize_kinds_and_unescaped_strings() -> None:
    tokens = tokenize('status>=500 host="a \\"b\\"" NOT [search x] count(f)')
    assert [(t.kind, t.value) for t in tokens] == [
        (WORD, "status"),
        (OP, ">="),
        (WORD, "500"),
        (WORD, "host"),
        (OP, "="),
        (STRING, 'a "b"'),
        (WORD, "NOT"),
        (SUBSEARCH, "search x"),
        (WORD, "count"),
        (OP, "("),
        (WORD, "f"),
        (OP, ")"),
    ]


def test_tokenize_keeps_regex_escapes_in_strings() -> None:
    assert tokenize('"(?<n>\\d+)"')[0].value == "(?<n>\\d+)"


def test_tokenize_offsets_and_ends_allow_adjacency_checks() -> None:
    tokens = tokenize("a=b c")
    assert [(t.offset, t.end) for t in tokens] == [(0, 1), (1, 2), (2, 3), (4, 5)]


# ---- properties -----------------------------------------------------------------------------------------------

SPL_ALPHABET = st.sampled_from([*list('ab |[]"\\`=()<>!,*-\n\t'), "```", "search", "stats"])


@settings(max_examples=400, deadline=None)
@given(st.lists(SPL_ALPHABET, max_size=40).map("".join))
def test_parse_pipeline_only_ever_raises_spl_syntax_error(text: str) -> None:
    with contextlib.suppress(SplSyntaxError):
        parse_pipeline(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_tokenize_strip_and_macros_only_ever_raise_spl_syntax_error(text: str) -> None:
    for function in (tokenize, strip_comments, find_macro_calls, parse_pipeline):
        with contextlib.suppress(SplSyntaxError):
            function(text)


SAFE_WORD = st.text(alphabet="abcxyz|[] ", min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(SAFE_WORD.filter(lambda s: '"' not in s and "\\" not in s), st.integers(min_value=0, max_value=3))
def test_pipes_inside_quotes_never_split(inner: str, extra: int) -> None:
    tail = " | head 1" * extra
    pipeline = parse_pipeline(f'search x="{inner}"{tail}')
    assert len(pipeline.commands) == 1 + extra
    assert pipeline.commands[0].args == f'x="{inner}"'


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", "head 2", 'x="|"', "w [search y | z]"]), min_size=1, max_size=6))
def test_pipes_inside_brackets_never_split_the_outer_pipeline(parts: list[str]) -> None:
    inner = " | ".join(parts)
    pipeline = parse_pipeline(f"search x [search {inner}] | head 1")
    assert [c.name for c in pipeline.commands] == ["search", "head"]
    assert pipeline.commands[0].args == f"x [search {inner}]"
    assert len(pipeline.commands[0].subsearches[0].commands) == len(parts)
