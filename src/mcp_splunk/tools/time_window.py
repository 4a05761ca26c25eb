"""The time-range guardrail: searches stay within the operator's window, inline ``earliest=``/``latest=`` too.

The job's ``earliest_time``/``latest_time`` and every inline ``earliest=``/``latest=`` in the SPL (subsearches
included, since they override the job's range where they appear) are resolved with the same modifier rules
Splunk uses; a range wider than ``MCP_SPLUNK_MAX_SEARCH_DAYS``, or with no lower bound unless
``MCP_SPLUNK_ALLOW_ALL_TIME`` is set, is refused before anything runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from mcp_splunk.errors import InvalidArgument, PolicyViolation
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.spl import PipelineSyntax, SplSyntaxError, parse_pipeline, tokenize
from mcp_splunk.spl.timemod import TimeModifierError, resolve_time

_DAY = 86400.0
_TIME_COMMANDS = frozenset({"search", "tstats", "metadata", "eventcount"})


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


def _inline(pipeline: PipelineSyntax) -> Iterator[tuple[str, str]]:
    """(name, value) of inline earliest=/latest= terms in this pipeline's commands, nested ones too."""
    for command in pipeline.commands:
        if command.name in _TIME_COMMANDS:
            tokens = tokenize(command.args)
            for name, equals, value in zip(tokens, tokens[1:], tokens[2:], strict=False):
                if name.value.lower() in ("earliest", "latest") and equals.value == "=" and value.kind != "OP":
                    yield name.value.lower(), value.value
        for sub in command.subsearches:
            yield from _inline(sub)


def check_time_window(
    settings: GatewaySettings, earliest: str, latest: str, query: str | None = None, now: float | None = None
) -> None:
    """Raise if the job's range or any inline range in ``query`` breaks the operator's limits."""
    moment = time.time() if now is None else now
    _check(TimeWindow(earliest, latest), "of the search", settings, moment)
    if query is None:
        return
    try:
        pipeline = parse_pipeline(query)
    except SplSyntaxError:
        return  # unparseable SPL is refused by the SPL policy with the syntax error as the reason
    for name, value in _inline(pipeline):  # each occurrence on its own: any one of them can widen the range
        window = TimeWindow(value, latest) if name == "earliest" else TimeWindow(earliest, value)
        _check(window, f"given inline in the SPL ({name}={value[:40]})", settings, moment)
