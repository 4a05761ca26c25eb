"""Properties: the policy never raises, and over generated pipelines it refuses exactly those that hold a refused
command or a construction that builds SPL from data, at any depth (subsearches, bodies, map searches, macros).

The generator builds each query from parts whose verdict it knows on its own, so the expected verdict is computed
independently of the policy: a query must be refused if and only if one of its parts is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.policy import READ_ONLY, REFUSED, SplPolicy, Verdict, canonical

POLICY = SplPolicy()


@dataclass(frozen=True)
class Part:
    text: str
    refused: bool
    macros: tuple[tuple[str, str], ...] = ()  # name -> body, for the simulated target parser

    def __add__(self, other: Part) -> Part:
        return Part(self.text + other.text, self.refused or other.refused, self.macros + other.macros)


def plain(text: str) -> Part:
    return Part(text, refused=False)


def bad(text: str) -> Part:
    return Part(text, refused=True)


def any_case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


SAFE_STEPS = [
    "stats count by host",
    'eval x=1, y="a | b"',
    "where x > 1",
    "head 5",
    "sort - count",
    "table host, status",
    "fields host",
    "rename host as h",
    "dedup host",
    'rex field=_raw "user=(?<user>\\w+)"',
    "lookup users.csv user OUTPUT team",
    "timechart span=1h count",
    "top limit=3 host",
    "bin _time span=1h",
    "fillnull value=0",
    "search delete OR outputlookup",  # words, not commands
    'eval note="| collect index=x"',
    "rest /services/server/info",
]
# Refused whatever surrounds them: writers, app commands nobody vetted, and forbidden forms of allowed commands.
REFUSED_STEPS = st.one_of(
    st.sampled_from(sorted(name for name, r in REFUSED.items() if r.writes)).flatmap(any_case).map(lambda n: f"{n} x"),
    st.sampled_from(
        [
            "frobnicate level=11",
            "savedsearch nightly",
            "inputcsv x.csv",
            "fit LinearRegression a from b into m",
            "rest /services/storage/passwords",
            "rest /services/configs/conf-alert_actions",
            "rest /services/server/info method=get",
            "return $host",
            "map nightly_saved_search",
        ]
    ),
)
GENERATORS = ["search index=web", "| makeresults count=3", "| inputlookup hosts.csv", "| tstats count by host"]
# Endings that make an inserted subsearch build SPL from data, whatever came before them.
DATA_TO_SPL_ENDINGS = [
    ' | eval search="x" | fields search',
    " | rename host as query | table query",
    ' | eval Query="x" | table Query',
    " | spath",
    " | inputlookup append=t more.csv",
    " | xyseries a b c",
    ' | eval {host}="x"',
    " | extract",
]


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


Where = Literal["query", "map", "macro"]  # the query's own text, a map search string, a macro body


@st.composite
def pipelines(draw: st.DrawFn, depth: int = 0, where: Where = "query") -> Part:
    """A generating command and up to four steps, any of which may be a container of a nested pipeline."""
    part = plain(draw(st.sampled_from(GENERATORS)))
    for _ in range(draw(st.integers(0, 4))):
        part = part + plain(" | ") + draw(steps(depth, where))
    return part


@st.composite
def steps(draw: st.DrawFn, depth: int, where: Where) -> Part:
    kinds = ["safe", "refused"] + (["append", "join", "appendpipe", "inserted", "map", "macro"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "safe":
        step = draw(st.sampled_from(SAFE_STEPS))
        # the gateway drops secret-named fields after a | rest by editing the query: not inside a string or macro
        return Part(step, refused=where != "query" and step.startswith("rest"))
    if kind == "refused":
        return bad(draw(REFUSED_STEPS))
    if kind == "macro":
        name = f"m{depth}_{draw(st.uuids()).hex[:12]}"  # unique: one body per name
        body = draw(steps(depth + 1, "macro" if where == "query" else where))
        # a macro in a map string is expanded only when map runs: refused however harmless its body
        return Part(f"`{name}`", refused=body.refused or where == "map", macros=((name, body.text), *body.macros))
    inner = draw(pipelines(depth + 1, where))
    if kind == "append":
        return plain("append [") + inner + plain("]")
    if kind == "join":
        return plain("join type=left host [") + inner + plain("]")
    if kind == "appendpipe":
        body = draw(steps(depth + 1, where))
        return plain("appendpipe [") + body + plain("]")
    if kind == "inserted":
        ending = draw(st.sampled_from(["safe", "data"]))
        tail = plain(" | fields host") if ending == "safe" else bad(draw(st.sampled_from(DATA_TO_SPL_ENDINGS)))
        return plain("search [") + inner + tail + plain("]")
    # map: the inner pipeline as an escaped string; a $field$ in it would paste data into the SPL
    template = draw(pipelines(depth + 1, "map"))
    token = draw(st.booleans())
    text = template.text + (" host=$host$" if token else "")
    return Part(f'map maxsearches=2 search="{escape(text)}"', template.refused or token, template.macros)


def target_parse(part: Part) -> dict[str, Any]:
    """What the target's parser gives: the query with every macro outside a quoted string replaced by its body
    (recursively); inside a string, as in a map search, splunkd leaves a macro for map to expand when it runs."""
    text = part.text
    for _ in range(5):
        for name, body in part.macros:
            pieces = re.split(r'("(?:[^"\\]|\\.)*")', text)
            text = "".join(p if p.startswith('"') else p.replace(f"`{name}`", body) for p in pieces)
    command, _, rawargs = text.removeprefix("| ").partition(" ")
    return {"commands": [{"command": command, "rawargs": rawargs}]}


@settings(max_examples=300, deadline=None)
@given(pipelines())
def test_a_generated_pipeline_is_refused_exactly_when_a_refused_part_appears_anywhere(part: Part) -> None:
    parsed = target_parse(part) if part.macros else None
    verdict = POLICY.check_with_parser(part.text, parsed)
    assert verdict.allowed is not part.refused, (part.text, verdict.reason)


@settings(max_examples=300, deadline=None)
@given(pipelines(), st.sampled_from(["search [", "append [", "join host [", 'map maxsearches=1 search="']))
def test_wrapping_a_refused_pipeline_in_any_container_keeps_it_refused(part: Part, opening: str) -> None:
    if not part.refused or part.macros:
        return
    closing = '"' if opening.endswith('"') else " | fields host]"
    inner = escape(part.text) if closing == '"' else part.text
    assert not POLICY.check(f"| makeresults | {opening}{inner}{closing}").allowed


SPL_TEXT = st.text(alphabet=st.sampled_from(list('|[]"`\\=() \n\tabdelmpsu,!<>*$')) | st.characters(), max_size=80)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | SPL_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["command", "rawargs", "x"]), inner),
    max_leaves=12,
)


@settings(max_examples=400)
@given(SPL_TEXT)
def test_check_returns_a_verdict_for_any_text(text: str) -> None:
    assert isinstance(POLICY.check(text), Verdict)


@settings(max_examples=200)
@given(SPL_TEXT, st.dictionaries(st.just("commands"), JSON) | JSON.filter(lambda v: isinstance(v, dict)))
def test_check_with_parser_returns_a_verdict_for_any_text_and_json(text: str, parsed: Any) -> None:
    assert isinstance(POLICY.check_with_parser(text, parsed), Verdict)


@settings(max_examples=300)
@given(SPL_TEXT)
def test_only_what_the_read_only_list_names_can_be_allowed(text: str) -> None:
    verdict = POLICY.check(text)
    if verdict.allowed:
        assert all(name.startswith("`") or canonical(name) in READ_ONLY for name in verdict.commands), verdict.commands
