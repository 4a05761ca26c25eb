"""Properties over arbitrary text: the policy never raises, and a denied command after a top-level pipe never passes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.policy import ALIASES, REASONS, SplPolicy, Verdict

POLICY = SplPolicy()

# rest, map and return are refused only for some arguments; every other name is refused whatever follows it.
ALWAYS_DENIED = sorted((set(REASONS) - {"rest", "map", "return"}) | set(ALIASES))

SPL_TEXT = st.text(alphabet=st.sampled_from(list('|[]"`\\=() \n\tabdelmpsu,!<>*$')) | st.characters(), max_size=80)
# No quote, bracket, backtick or pipe: the "|" that follows stays at the top level and outside any string.
PLAIN_PREFIX = st.text(alphabet=st.characters(exclude_characters='"[]`|'), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | SPL_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["command", "rawargs", "x"]), inner),
    max_leaves=12,
)


# Any denied name or alias, in any mix of upper and lower case.
DENIED_AS_WRITTEN = st.sampled_from(ALWAYS_DENIED).flatmap(
    lambda name: st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in name)).map("".join)
)


@settings(max_examples=400)
@given(SPL_TEXT)
def test_check_returns_a_verdict_for_any_text(text: str) -> None:
    assert isinstance(POLICY.check(text), Verdict)


@settings(max_examples=200)
@given(SPL_TEXT, st.dictionaries(st.just("commands"), JSON) | JSON.filter(lambda v: isinstance(v, dict)))
def test_check_with_parser_returns_a_verdict_for_any_text_and_json(text: str, parsed: Any) -> None:
    assert isinstance(POLICY.check_with_parser(text, parsed), Verdict)


@settings(max_examples=400)
@given(
    PLAIN_PREFIX,
    DENIED_AS_WRITTEN,
    st.sampled_from(["", " ", "\n  ", "\t"]),
    st.sampled_from([" ", "\n", "\t"]),
    SPL_TEXT,
)
def test_denied_command_after_a_top_level_pipe_is_always_refused(
    prefix: str, name: str, before: str, after: str, suffix: str
) -> None:
    query = f"{prefix}|{before}{name}{after}{suffix}"
    assert not POLICY.check(query).allowed, query
