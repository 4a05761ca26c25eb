"""Splunk time modifiers: ``-24h@h``, ``@d``, ``-7d@w1+2h``, ``now``, epoch and ISO 8601, resolved in UTC.

Shared by the sandbox's search engine and the gateway's time-range guardrail, so both read a modifier the same
way.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from typing import Final


class TimeModifierError(ValueError):
    """A time modifier splunkd would not accept; ``str()`` is splunkd's message."""


UNITS: Final[dict[str, str]] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "week", "weeks"), "w"),
    **dict.fromkeys(("mon", "month", "months"), "mon"),
    **dict.fromkeys(("q", "qtr", "qtrs", "quarter", "quarters"), "q"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "y"),
}
SECONDS: Final[dict[str, int]] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MONTHS: Final[dict[str, int]] = {"mon": 1, "q": 3, "y": 12}
_OFFSET: Final = r"([+-])(\d*)([a-zA-Z]+)"
_RELATIVE_RE: Final = re.compile(rf"(?:{_OFFSET})?(?:@([a-zA-Z]+)(\d?)(?:{_OFFSET})?)?")
_EPOCH_RE: Final = re.compile(r"\d+(?:\.\d*)?")


def _bad(modifier: str) -> TimeModifierError:
    return TimeModifierError(f"Invalid time modifier '{modifier}'.")


def _unit(name: str, modifier: str) -> str:
    unit = UNITS.get(name.lower())
    if unit is None:
        raise _bad(modifier)
    return unit


def _shift(moment: datetime, sign: str, amount: str, unit_name: str, modifier: str) -> datetime:
    count = (int(amount) if amount else 1) * (-1 if sign == "-" else 1)
    unit = _unit(unit_name, modifier)
    if unit in SECONDS:
        return moment + timedelta(seconds=count * SECONDS[unit])
    return _add_months(moment, count * _MONTHS[unit])


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _snap(moment: datetime, unit_name: str, weekday: str, modifier: str) -> datetime:
    unit = _unit(unit_name, modifier)
    if weekday and unit != "w":
        raise _bad(modifier)
    if unit == "s":
        return moment.replace(microsecond=0)
    if unit == "m":
        return moment.replace(second=0, microsecond=0)
    if unit == "h":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        return day
    if unit == "w":  # @w0 (= @w) is Sunday, @w1 Monday ... ; Python's weekday() has Monday = 0
        target = int(weekday or "0")
        if target > 6:
            raise _bad(modifier)
        return day - timedelta(days=(day.weekday() + 1 - target) % 7)
    first_month = {"mon": day.month, "q": day.month - (day.month - 1) % 3, "y": 1}[unit]
    return day.replace(month=first_month, day=1)


def resolve_time(modifier: str, now: float) -> float:
    """Epoch seconds for a Splunk time modifier, relative ones resolved against ``now``."""
    text = modifier.strip()
    lowered = text.lower()
    if not text:
        raise _bad(modifier)
    if lowered in ("now", "rt", "rtnow"):
        return now
    if _EPOCH_RE.fullmatch(text):
        return float(text)
    if lowered.startswith("rt"):  # real-time windows behave like their historical counterparts here
        text = text[2:]
    relative = _RELATIVE_RE.fullmatch(text)
    if relative is None:
        return _absolute(text, modifier)
    sign, amount, unit, snap, weekday, sign2, amount2, unit2 = relative.groups()
    try:
        moment = datetime.fromtimestamp(now, UTC)
        if sign:
            moment = _shift(moment, sign, amount, unit, modifier)
        if snap:
            moment = _snap(moment, snap, weekday, modifier)
        if sign2:
            moment = _shift(moment, sign2, amount2, unit2, modifier)
        return moment.timestamp()
    except TimeModifierError:
        raise
    except (OverflowError, ValueError):  # past the calendar's years 1-9999, or an absurdly long number
        raise TimeModifierError(f"Time modifier '{modifier[:60]}' is out of range.") from None


def _absolute(text: str, modifier: str) -> float:
    for pattern in ("%m/%d/%Y:%H:%M:%S", "%m/%d/%Y"):  # splunkd's own absolute format
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC).timestamp()
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(modifier) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
