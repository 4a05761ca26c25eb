"""eval and where: operators, every function, typing rules and errors."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import pytest

from mcp_splunk.sandbox.spl import SplError, parse_search
from tests.sandbox.spl.spl_engine_support import NOW, FakeContext, corpus, rendered


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(corpus())


def ev(ctx: FakeContext, expression: str, prefix: str = "") -> str | list[str] | None:
    """Evaluate one expression on a makeresults row (with optional setup evals)."""
    query = f"| makeresults {prefix}| eval out={expression}"
    return rendered(ctx, query)[0].get("out")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", str(1 + 2 * 3)),
        ("(1 + 2) * 3", str((1 + 2) * 3)),
        ("10 / 4", repr(10 / 4)),
        ("10 / 5", "2"),
        ("7 % 3", str(7 % 3)),
        ("-3 + 1", "-2"),
        ('"a" . "b" . 1', "ab1"),
        ('"a" + "b"', "ab"),
        ('"5" + 3', "8"),
        ("1 / 0", None),
        ('"x" * 2', None),
        ("0.1 + 0.2", repr(0.1 + 0.2)),
    ],
)
def test_arithmetic_and_concatenation(ctx: FakeContext, expression: str, expected: str | None) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("if(1 < 2, 1, 0)", "1"),
        ("if(2 <= 1, 1, 0)", "0"),
        ('if("b" > "a", 1, 0)', "1"),
        ("if(10 > 9, 1, 0)", "1"),  # numeric, not lexical
        ('if("10" > "9", 1, 0)', "1"),  # numeric strings compare as numbers
        ('if("abc" = "abc" AND 1 == 1, 1, 0)', "1"),
        ('if("abc" != "ABC", 1, 0)', "1"),
        ("if(1 = 2 OR 2 = 2, 1, 0)", "1"),
        ("if(NOT 1 = 2, 1, 0)", "1"),
        ("if(1 = 1 XOR 2 = 2, 1, 0)", "0"),
        ("if(1 = 1 XOR 2 = 3, 1, 0)", "1"),
        ('if("abc" LIKE "a%", 1, 0)', "1"),
    ],
)
def test_comparisons_and_boolean_operators(ctx: FakeContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('case(1 = 2, "a", 2 = 2, "b")', "b"),
        ('case(1 = 2, "a")', None),
        ('coalesce(missing, null(), "x", "y")', "x"),
        ('if(isnull(missing), "yes", "no")', "yes"),
        ('if(isnotnull(missing), "yes", "no")', "no"),
        ("null()", None),
        ('lower("AbC")', "abc"),
        ('upper("AbC")', "ABC"),
        ('len("hello")', "5"),
        ("round(2.567, 2)", "2.57"),
        ("round(2.5)", "3"),
        ("round(-2.5)", "-3"),
        ('tostring(1234567, "commas")', f"{1234567:,}"),
        ('tostring(1234.567, "commas")', f"{1234.567:,.2f}"),
        ('tostring(255, "hex")', hex(255)),
        ('tostring(3725, "duration")', "01:02:05"),
        ('tostring(90061, "duration")', "1+01:01:01"),
        ("tostring(42)", "42"),
        ('tonumber("42") + 1', "43"),
        ('tonumber("ff", 16)', str(int("ff", 16))),
        ('tonumber("abc")', None),
        ('if(like("foobar", "f_o%"), 1, 0)', "1"),
        ('if(like("foobar", "bar"), 1, 0)', "0"),
        ('if(match("abc123", "\\d+$"), 1, 0)', "1"),
        ('if(match("abc", "^\\d"), 1, 0)', "0"),
        ('substr("splunk", 2, 3)', "splunk"[1:4]),
        ('substr("splunk", -3)', "splunk"[-3:]),
        ('substr("splunk", 3)', "splunk"[2:]),
        ('replace("a-b-c", "-", "+")', "a+b+c"),
        ('replace("2026-11-22", "(\\d+)-(\\d+)-(\\d+)", "\\3/\\2/\\1")', "22/11/2026"),
        ('split("a,b,c", ",")', ["a", "b", "c"]),
        ('mvcount(split("a,b,c", ","))', "3"),
        ("mvcount(missing)", None),
        ('mvindex(split("a,b,c", ","), 1)', "b"),
        ('mvindex(split("a,b,c", ","), -1)', "c"),
        ('mvindex(split("a,b,c,d", ","), 1, 2)', ["b", "c"]),
        ('mvjoin(split("a,b,c", ","), "+")', "a+b+c"),
        ('mvappend("a", split("b,c", ","))', ["a", "b", "c"]),
        ('trim("  x  ")', "x"),
        ('trim("xxhixx", "x")', "hi"),
        ('ltrim("  x ")', "x "),
        ('rtrim(" x  ")', " x"),
        ("abs(-4.5)", "4.5"),
        ("floor(2.7)", "2"),
        ("ceil(2.1)", "3"),
        ("ceiling(2.1)", "3"),
        ("max(3, 10, 2)", "10"),
        ("min(3, 10, 2)", "2"),
        ('if(isnum("3.5"), 1, 0)', "1"),
        ('if(isstr("abc") AND NOT isstr(3), 1, 0)', "1"),
        ("if(true() AND NOT false(), 1, 0)", "1"),
        ('if(cidrmatch("10.0.0.0/8", "10.2.3.4"), 1, 0)', "1"),
        ('if(cidrmatch("10.0.0.0/8", "192.168.0.1"), 1, 0)', "0"),
        ('if(cidrmatch("10.0.0.0/8", "not-an-ip"), 1, 0)', "0"),
    ],
)
def test_eval_functions(ctx: FakeContext, expression: str, expected: str | list[str] | None) -> None:
    assert ev(ctx, expression) == expected


def test_now_returns_the_search_now(ctx: FakeContext) -> None:
    assert ev(ctx, "now()") == str(int(NOW))


def test_time_returns_the_wall_clock(ctx: FakeContext) -> None:
    before = time.time()
    value = ev(ctx, "time()")
    assert isinstance(value, str)
    assert before <= float(value) <= time.time()


def test_strftime_strptime_and_relative_time(ctx: FakeContext) -> None:
    moment = datetime(2026, 11, 22, 10, 0, 53, tzinfo=UTC)
    epoch = int(moment.timestamp())
    assert ev(ctx, f'strftime({epoch}, "%Y-%m-%d %H:%M:%S")') == moment.strftime("%Y-%m-%d %H:%M:%S")
    assert ev(ctx, f'strftime({epoch}.25, "%FT%T.%Q%:z")') == "2026-11-22T10:00:53.250+00:00"
    assert ev(ctx, 'strptime("2026-11-22 10:00:53", "%Y-%m-%d %H:%M:%S")') == str(epoch)
    assert ev(ctx, 'strptime("garbage", "%Y")') is None
    day_start = int(datetime(2026, 11, 21, tzinfo=UTC).timestamp())
    assert ev(ctx, f'relative_time({epoch}, "-1d@d")') == str(day_start)


def test_fields_by_name_and_single_quotes(ctx: FakeContext) -> None:
    query = "search index=web | eval out=status + 1, 'odd name'=uri_path . \"@\" . 'host' | table out \"odd name\""
    rows = rendered(ctx, query)
    web = [e for e in corpus() if e.index == "web"]
    web.sort(key=lambda e: e.time, reverse=True)
    statuses = [int(e.raw.split('" ')[1].split()[0]) for e in web]
    assert [row["out"] for row in rows] == [str(s + 1) for s in statuses]
    assert [row["odd name"] for row in rows] == [f"{e.raw.split()[6].split('?')[0]}@{e.host}" for e in web]


def test_later_assignments_see_earlier_ones(ctx: FakeContext) -> None:
    assert rendered(ctx, "| makeresults | eval a=2, b=a*10, a=b+1")[0] == {
        "_time": rendered(ctx, "| makeresults")[0]["_time"],
        "a": "21",
        "b": "20",
    }


def test_assigning_null_removes_the_field(ctx: FakeContext) -> None:
    assert "a" not in rendered(ctx, "| makeresults | eval a=1 | eval a=null()")[0]


def test_where_keeps_rows_where_the_expression_is_true(ctx: FakeContext) -> None:
    rows = rendered(ctx, 'search index=web | where status >= 500 AND like(uri, "/c%") | table uri status')
    web = [e for e in corpus() if e.index == "web"]
    expected = []
    for e in sorted(web, key=lambda e: e.time, reverse=True):
        uri, status = e.raw.split('"')[1].split()[1], int(e.raw.split('" ')[1].split()[0])
        if status >= 500 and uri.startswith("/c"):
            expected.append({"uri": uri, "status": str(status)})
    assert rows == expected


def test_where_comparisons_are_case_sensitive(ctx: FakeContext) -> None:
    assert rendered(ctx, 'search user=alice | where user="ALICE"') == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "| makeresults | eval x=nosuch(1)",
            "Error in 'eval' command: The 'nosuch' function is unsupported or undefined.",
        ),
        (
            "| makeresults | eval x=round()",
            "Error in 'eval' command: The arguments to the 'round' function are invalid.",
        ),
        ("| makeresults | eval x=1 < 2", "Fields cannot be assigned a boolean result"),
        ("| makeresults | eval x=(1", "Error in 'eval' command: The expression is malformed"),
        ("| makeresults | eval x=1 2", "Error in 'eval' command: The expression is malformed"),
        ('| makeresults | eval x=match(a, "(")', "Error in 'eval' command: Regex:"),
        ("| makeresults | eval", "Error in 'eval' command: Missing an expression."),
        ("| makeresults | where 1 + 1", "requires a Boolean expression"),
        ("| makeresults | where", "Error in 'where' command: The expression is malformed"),
    ],
)
def test_malformed_expressions_are_spl_errors(query: str, message: str) -> None:
    with pytest.raises(SplError) as info:
        parse_search(query)
    assert message in str(info.value)


def test_regex_errors_at_run_time_are_spl_errors(ctx: FakeContext) -> None:
    with pytest.raises(SplError, match="Regex"):
        rendered(ctx, '| makeresults | eval p="(" | eval x=if(match("a", p), 1, 0)')


def test_division_result_keeps_full_precision(ctx: FakeContext) -> None:
    assert ev(ctx, "2 / 3") == repr(2 / 3)
    assert math.isclose(float(ev(ctx, "2 / 3") or 0), 2 / 3)
