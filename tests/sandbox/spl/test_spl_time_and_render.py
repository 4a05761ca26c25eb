"""Time modifiers, _time formatting and value rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mcp_splunk.sandbox.spl import SplError, format_time, render_row, resolve_time

NOW_DT = datetime(2026, 11, 22, 10, 0, 53, 638000, tzinfo=UTC)  # a Sunday
NOW = NOW_DT.timestamp()


def ts(moment: datetime) -> float:
    return moment.timestamp()


@pytest.mark.parametrize(
    ("modifier", "expected"),
    [
        ("now", NOW_DT),
        ("-15m", NOW_DT - timedelta(minutes=15)),
        ("-24h", NOW_DT - timedelta(hours=24)),
        ("-7d", NOW_DT - timedelta(days=7)),
        ("-2w", NOW_DT - timedelta(weeks=2)),
        ("+30s", NOW_DT + timedelta(seconds=30)),
        ("-5sec", NOW_DT - timedelta(seconds=5)),
        ("-3hours", NOW_DT - timedelta(hours=3)),
        ("-1mon", NOW_DT.replace(month=10)),
        ("-1q", NOW_DT.replace(month=8)),
        ("-1y", NOW_DT.replace(year=2025)),
        ("@s", NOW_DT.replace(microsecond=0)),
        ("@m", NOW_DT.replace(second=0, microsecond=0)),
        ("@h", NOW_DT.replace(minute=0, second=0, microsecond=0)),
        ("@d", NOW_DT.replace(hour=0, minute=0, second=0, microsecond=0)),
        ("-24h@h", (NOW_DT - timedelta(hours=24)).replace(minute=0, second=0, microsecond=0)),
        ("-1d@d+2h", datetime(2026, 11, 21, 2, tzinfo=UTC)),
        ("@w0", datetime(2026, 11, 22, tzinfo=UTC)),
        ("@w1", datetime(2026, 11, 16, tzinfo=UTC)),
        ("@w6", datetime(2026, 11, 21, tzinfo=UTC)),
        ("@mon", datetime(2026, 11, 1, tzinfo=UTC)),
        ("@q", datetime(2026, 10, 1, tzinfo=UTC)),
        ("@y", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-11-20T08:00:00Z", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T08:00:00+02:00", datetime(2026, 11, 20, 6, tzinfo=UTC)),
        ("11/20/2026:08:00:00", datetime(2026, 11, 20, 8, tzinfo=UTC)),
    ],
)
def test_resolve_time_modifiers_against_a_fixed_now(modifier: str, expected: datetime) -> None:
    assert resolve_time(modifier, NOW) == pytest.approx(ts(expected))


def test_resolve_time_zero_means_all_time_and_epochs_pass_through() -> None:
    assert resolve_time("0", NOW) == 0.0
    assert resolve_time("1700000000.5", NOW) == 1700000000.5


def test_month_arithmetic_clamps_the_day() -> None:
    march_31 = datetime(2026, 3, 31, tzinfo=UTC).timestamp()
    assert resolve_time("-1mon", march_31) == datetime(2026, 2, 28, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("garbage", ["yesterday", "-5parsecs", "@w9", "", "--1d", "@x"])
def test_resolve_time_rejects_garbage_with_an_spl_error(garbage: str) -> None:
    with pytest.raises(SplError):
        resolve_time(garbage, NOW)


def test_format_time_uses_splunk_default_format_in_utc() -> None:
    assert format_time(NOW) == "2026-11-22T10:00:53.638+00:00"
    assert format_time(0) == "1970-01-01T00:00:00.000+00:00"


def test_render_row_turns_values_into_strings() -> None:
    row = {
        "_time": NOW,
        "count": 3,
        "avg": 2 / 3,
        "whole": 5.0,
        "small": 0.00001,
        "mv": ["a", 1, None],
        "missing": None,
        "text": "x",
    }
    assert render_row(row) == {
        "_time": "2026-11-22T10:00:53.638+00:00",
        "count": "3",
        "avg": repr(2 / 3),
        "whole": "5",
        "small": "0.00001",
        "mv": ["a", "1"],
        "text": "x",
    }
