"""What a query reads: the indexes (or data models) each pipeline touches, and the time range."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from mcp_splunk.explain.args import is_word, names, option
from mcp_splunk.explain.frames import Frame
from mcp_splunk.explain.model import IndexUse, TimeRange
from mcp_splunk.policy.fields import field_name
from mcp_splunk.policy.time_terms import time_terms
from mcp_splunk.spl import OP, STRING, WORD, Token
from mcp_splunk.spl.timemod import TimeModifierError, resolve_time

ROLE_DEFAULT: Final = "role default"
_RELATIVE_RE: Final = re.compile(r"-(\d+)(s|m|h|d|w|mon|y)")
_UNIT_WORDS: Final = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mon": "month", "y": "year"}


@dataclass(frozen=True, slots=True)
class IndexTerm:
    value: str
    negated: bool


def index_terms(tokens: Sequence[Token]) -> list[IndexTerm]:
    """Every ``index=x``, ``index!=x``, ``NOT index=x`` and ``index IN (a, b)`` of a command's arguments."""
    terms: list[IndexTerm] = []
    for position, token in enumerate(tokens):
        if not is_word(token, "index") or position + 2 >= len(tokens):
            continue
        negated = position > 0 and tokens[position - 1].kind == WORD and tokens[position - 1].value == "NOT"
        following, value = tokens[position + 1], tokens[position + 2]
        if following.kind == OP and following.value in ("=", "==", "!=") and value.kind in (WORD, STRING):
            terms.append(IndexTerm(field_name(value), negated or following.value == "!="))
        elif is_word(following, "in") and value.kind == OP and value.value == "(":
            for item in tokens[position + 3 :]:
                if item.kind == OP and item.value == ")":
                    break
                if item.kind in (WORD, STRING):
                    terms.append(IndexTerm(field_name(item), negated))
    return terms


def frame_indexes(frame: Frame) -> list[IndexUse]:
    """The indexes or data models the first command of ``frame`` reads; none if it reads no indexed data."""
    reader = frame.reader
    if reader is None:
        return []
    tokens = frame.first.tokens
    location = frame.first.location
    model = _data_model(reader, tokens)
    if model is not None or reader in ("datamodel", "from"):  # a from of a lookup reads no index
        return [IndexUse(model, "data model", location)] if model else []
    used = [IndexUse(term.value, _kind(term.value), location) for term in index_terms(tokens) if not term.negated]
    if used:
        return used
    if frame.hides_macro(0):
        return [IndexUse(None, "unknown", location)]
    return [IndexUse(None, ROLE_DEFAULT, location)]


def _data_model(reader: str, tokens: Sequence[Token]) -> str | None:
    listed = names(tokens)
    if reader == "tstats":
        return option(tokens, "datamodel")
    if reader == "datamodel":
        return listed[0] if listed else None
    if reader == "from":
        return next((name.split(":", 1)[1] for name in listed if name.lower().startswith("datamodel:")), None)
    return None


def _kind(value: str) -> str:
    if value.strip("*") == "":
        return "all"
    return "pattern" if "*" in value else "index"


def all_indexes(frames: Sequence[Frame]) -> tuple[IndexUse, ...]:
    return tuple(use for frame in frames for use in frame_indexes(frame))


def unbounded(earliest: str | None, now: float) -> bool:
    """No lower time bound: none given, ``0``, or a time before the epoch."""
    if earliest is None or not earliest.strip():
        return True
    try:
        return resolve_time(earliest, now) <= 0
    except TimeModifierError:
        return False  # not a time at all; the tool refuses it before explaining


def frame_earliest(frame: Frame, job_earliest: str | None) -> str | None:
    """The lower bound of the events ``frame``'s first command reads: its own ``earliest=``, else the job's."""
    own = [term.modifier for term in time_terms([frame.first]) if term.bound == "earliest"]
    return own[-1] if own else job_earliest


def time_range(
    frames: Sequence[Frame], earliest: str | None, latest: str | None, now: float | None = None
) -> TimeRange:
    """The job's range with the top-level search's own ``earliest=``/``latest=`` applied, and every inline bound."""
    moment = time.time() if now is None else now
    inline = tuple(_inline(frames))
    top = list(time_terms([frames[0].first]))
    for term in top:
        if term.bound == "earliest":
            earliest = term.modifier
        else:
            latest = term.modifier
    all_time = unbounded(earliest, moment)
    end = _plain(latest) if latest and latest.strip().lower() != "now" else "now"
    summary = f"all time, up to {end}" if all_time else f"from {_plain(earliest)} to {end}"
    if top:
        summary += " (set inline in the search)"
    return TimeRange(None if all_time else earliest, latest, all_time, summary, inline)


def _inline(frames: Sequence[Frame]) -> Iterator[str]:
    for frame in frames:
        for command in frame.pipeline.commands:
            for term in time_terms([command]):
                yield f"{term.written} ({command.location})"


def _plain(modifier: str | None) -> str:
    text = (modifier or "").strip()
    match = _RELATIVE_RE.fullmatch(text)
    if match is None:
        return text
    count, unit = int(match.group(1)), _UNIT_WORDS[match.group(2)]
    return f"{count} {unit}{'s' if count != 1 else ''} ago ({text})"
