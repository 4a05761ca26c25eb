"""Time in the sandbox's engine: modifier resolution (shared with the gateway), spans and formatting, in UTC."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Final

from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.spl.timemod import SECONDS, UNITS, TimeModifierError
from mcp_splunk.spl.timemod import resolve_time as _resolve

_SPAN_RE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)")


def resolve_time(modifier: str, now: float) -> float:
    """Epoch seconds for a Splunk time modifier, relative ones resolved against ``now``."""
    try:
        return _resolve(modifier, now)
    except TimeModifierError as exc:
        raise SplError(str(exc)) from None


def parse_span(text: str) -> float:
    """Seconds in a span such as ``5m``, ``1h`` or ``30`` (``mon``/``q``/``y`` taken as 30/90/365 days)."""
    match = _SPAN_RE.fullmatch(text.strip())
    if match is None or float(match.group(1)) <= 0:
        raise SplError(f"Invalid span '{text}'.")
    unit_name = match.group(2) or "s"
    unit = UNITS.get(unit_name.lower())
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
