"""Splunk time modifiers (``-24h@h``, ``@d``, ``now``, epoch, ISO 8601) and time formatting, all in UTC."""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Final

from mcp_splunk.sandbox.spl.errors import SplError

_UNITS: Final[dict[str, str]] = {
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
_SPAN_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)")


def _bad(modifier: str) -> SplError:
    return SplError(f"Invalid time modifier '{modifier}'.")


def _unit(name: str, modifier: str) -> str:
    unit = _UNITS.get(name.lower())
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
    if relative is not None:
        sign, amount, unit, snap, weekday, sign2, amount2, unit2 = relative.groups()
        moment = datetime.fromtimestamp(now, UTC)
        if sign:
            moment = _shift(moment, sign, amount, unit, modifier)
        if snap:
            moment = _snap(moment, snap, weekday, modifier)
        if sign2:
            moment = _shift(moment, sign2, amount2, unit2, modifier)
        return moment.timestamp()
    return _absolute(text, modifier)


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


def parse_span(text: str) -> float:
    """Seconds in a span such as ``5m``, ``1h`` or ``30`` (``mon``/``q``/``y`` taken as 30/90/365 days)."""
    match = _SPAN_RE.fullmatch(text.strip())
    if match is None or float(match.group(1)) <= 0:
        raise SplError(f"Invalid span '{text}'.")
    unit_name = match.group(2) or "s"
    unit = _UNITS.get(unit_name.lower())
    if unit is None:
        raise SplError(f"Invalid span '{text}'.")
    seconds = SECONDS.get(unit, 86400 * {"mon": 30, "q": 90, "y": 365}.get(unit, 0))
    return float(match.group(1)) * seconds


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def format_time(epoch: float) -> str:
    """splunkd's default ``_time`` rendering ``%FT%T.%Q%:z`` in UTC: ``2026-11-22T10:00:53.638+00:00``."""
    millis = math.floor(round(epoch * 1000, 3))
    seconds, msec = divmod(millis, 1000)
    return f"{_moment(seconds).strftime('%Y-%m-%dT%H:%M:%S')}.{msec:03d}+00:00"


_STRFTIME_EXT_RE: Final = re.compile(r"%(?:(\d?)N|Q|:z|F|T|s|%)")


def strftime(epoch: float, fmt: str) -> str:
    """``strftime`` with Splunk's extensions: %Q (millis), %N/%3N/%6N (subseconds), %:z, %F, %T, %s."""
    moment = _moment(epoch)

    def expand(match: re.Match[str]) -> str:
        directive = match.group()
        if directive == "%Q":
            return f"{moment.microsecond // 1000:03d}"
        if directive.endswith("N"):
            digits = int(match.group(1) or "9")
            return f"{moment.microsecond:06d}{'000'}"[:digits]
        return {"%:z": "+00:00", "%F": "%Y-%m-%d", "%T": "%H:%M:%S", "%s": str(int(epoch)), "%%": "%%"}[directive]

    return moment.strftime(_STRFTIME_EXT_RE.sub(expand, fmt))


def strptime(text: str, fmt: str) -> float | None:
    """Epoch seconds for ``text`` in ``fmt`` (UTC unless the format has %z), or None if it does not match."""
    pattern = fmt.replace("%F", "%Y-%m-%d").replace("%T", "%H:%M:%S").replace("%Q", "%f").replace("%3N", "%f")
    try:
        moment = datetime.strptime(text, pattern)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
