"""``fieldsummary``: splunkd's columns, checked by hand on a small index and against ``stats`` on every field."""

from __future__ import annotations

import json
import statistics

import pytest

from mcp_splunk.sandbox.spl import SplError, parse_search
from tests.sandbox.spl.spl_engine_support import FakeContext, corpus, rendered, run

COLUMNS = ["field", "count", "distinct_count", "is_exact", "max", "mean", "min", "numeric_count", "stdev", "values"]


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext(corpus())


def by_field(ctx: FakeContext, query: str) -> dict[str, dict[str, str | list[str]]]:
    return {str(row["field"]): row for row in rendered(ctx, query)}


def test_each_field_of_the_events_gets_splunkds_columns_and_internal_fields_are_left_out(ctx: FakeContext) -> None:
    result = run(ctx, "search index=main | fieldsummary")
    assert result.fields == COLUMNS
    names = [row["field"] for row in result.results]
    # index=main: four key=value lines (user, action, status, latency, msg, level) plus the indexed fields.
    assert names == sorted(
        {"action", "host", "index", "latency", "level", "linecount", "msg", "source", "sourcetype", "splunk_server"}
        | {"status", "user"}
    )


def test_counts_distinct_values_and_numeric_range_match_a_hand_count(ctx: FakeContext) -> None:
    rows = by_field(ctx, "search index=main | fieldsummary")
    # latency is in three of the four events: 12, 7 and 30.
    latency = rows["latency"]
    assert {k: latency.get(k) for k in ("count", "distinct_count", "is_exact", "numeric_count")} == {
        "count": "3",
        "distinct_count": "3",
        "is_exact": "1",
        "numeric_count": "3",
    }
    assert (latency["min"], latency["max"]) == ("7", "30")
    assert float(str(latency["mean"])) == pytest.approx(49 / 3)
    assert float(str(latency["stdev"])) == pytest.approx(statistics.stdev([12, 7, 30]))
    # user: alice twice, bob once; not numeric, so no range.
    user = rows["user"]
    assert (user["count"], user["distinct_count"], user["numeric_count"]) == ("3", "2", "0")
    assert not {"max", "mean", "min", "stdev"} & set(user)
    assert json.loads(str(user["values"])) == [{"value": "alice", "count": 2}, {"value": "bob", "count": 1}]


def test_maxvals_keeps_the_commonest_values_and_marks_the_distinct_count_inexact(ctx: FakeContext) -> None:
    rows = by_field(ctx, "search index=web | fieldsummary maxvals=2")
    clientip = rows["clientip"]  # 10.0.0.1 three times, 10.0.0.2 and 10.0.0.3 once each
    assert (clientip["count"], clientip["distinct_count"], clientip["is_exact"]) == ("5", "3", "0")
    assert json.loads(str(clientip["values"])) == [
        {"value": "10.0.0.1", "count": 3},
        {"value": "10.0.0.2", "count": 1},
    ]
    assert len(json.loads(str(by_field(ctx, "search index=web | fieldsummary maxvals=0")["clientip"]["values"]))) == 3


def test_a_field_list_with_wildcards_limits_the_fields_summarised(ctx: FakeContext) -> None:
    fields = by_field(ctx, "search index=web | fieldsummary uri* status")
    assert list(fields) == ["status", "uri", "uri_path", "uri_query"]


def test_every_field_agrees_with_stats_over_the_same_events(ctx: FakeContext) -> None:
    summary = by_field(ctx, "search index=* | fieldsummary maxvals=0")
    for name, row in summary.items():
        expected = rendered(
            ctx, f"search index=* | stats count({name}) AS c dc({name}) AS dc min({name}) AS lo max({name}) AS hi"
        )[0]
        assert (row["count"], row["distinct_count"]) == (expected["c"], expected["dc"]), name
        if row["numeric_count"] != "0" and row["numeric_count"] == row["count"]:
            assert (row["min"], row["max"]) == (expected["lo"], expected["hi"]), name
        assert sum(v["count"] for v in json.loads(str(row["values"]))) >= int(str(row["count"])), name


def test_a_negative_maxvals_is_a_search_error(ctx: FakeContext) -> None:
    with pytest.raises(SplError, match="maxvals"):
        parse_search("search index=main | fieldsummary maxvals=-1", ctx)
