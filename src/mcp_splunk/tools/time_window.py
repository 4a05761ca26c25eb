"""The time-range guardrail: searches stay within the operator's window, inline ``earliest=``/``latest=`` too.

The job's ``earliest_time``/``latest_time`` and every inline time bound of the SPL (``earliest=``/``latest=`` and
splunkd's older spellings, in subsearches, ``map`` searches and macro bodies too, since each overrides the job's
range where it stands; the SPL policy finds them) are resolved with the same modifier rules Splunk uses; a range
wider than ``MCP_SPLUNK_MAX_SEARCH_DAYS``, or with no lower bound unless ``MCP_SPLUNK_ALLOW_ALL_TIME`` is set, is
refused before anything runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from mcp_splunk.errors import InvalidArgument, PolicyViolation
from mcp_splunk.policy import TimeTerm
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.spl.timemod import TimeModifierError, resolve_time

_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class TimeWindow:
    earliest: str
    latest: str


def _resolve(modifier: str, what: str, now: float) -> float:
    try:
        return resolve_time(modifier, now)
    except TimeModifierError:
        raise InvalidArgument(
            f"{what} '{modifier[:60]}' is not a Splunk time: use a relative modifier such as -24h, -7d@d or now, "
            "an epoch time, or an ISO 8601 time."
        ) from None


def _check(window: TimeWindow, where: str, settings: GatewaySettings, now: float) -> None:
    earliest = _resolve(window.earliest, f"The earliest time {where}", now)
    latest = _resolve(window.latest, f"The latest time {where}", now)
    if latest < earliest:
        raise InvalidArgument(f"The time range {where} ends before it starts ({window.earliest} .. {window.latest}).")
    if earliest <= 0 and not settings.allow_all_time:
        raise PolicyViolation(
            f"All-time searches are disabled by the operator (earliest '{window.earliest}' {where}): give an "
            "earliest time such as -24h or -7d."
        )
    days = (latest - earliest) / _DAY
    if settings.max_search_days and days > settings.max_search_days:
        raise PolicyViolation(
            f"The time range {where} spans {days:.1f} days; the operator allows at most {settings.max_search_days:g} "
            "(MCP_SPLUNK_MAX_SEARCH_DAYS). Narrow earliest/latest."
        )


def check_time_window(
    settings: GatewaySettings, earliest: str, latest: str, terms: Iterable[TimeTerm] = (), now: float | None = None
) -> None:
    """Raise if the job's range, or any inline time bound of the query (``terms``), breaks the operator's limits."""
    moment = time.time() if now is None else now
    _check(TimeWindow(earliest, latest), "of the search", settings, moment)
    for term in terms:  # each occurrence on its own: any one of them can widen the range
        window = TimeWindow(term.modifier, latest) if term.bound == "earliest" else TimeWindow(earliest, term.modifier)
        _check(window, f"given inline in the SPL ({term.written})", settings, moment)
