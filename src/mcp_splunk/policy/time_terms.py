"""Inline time bounds written anywhere in a query: ``earliest=``/``latest=`` and splunkd's older spellings.

Each one overrides the job's time range where it stands, so the time-window guardrail must see all of them:
in subsearches, in ``map`` searches and in macro bodies (the walk of the target parser's expansion).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from mcp_splunk.policy.catalogue import canonical
from mcp_splunk.policy.walker import Command
from mcp_splunk.spl import OP

# Commands whose arguments can set the range of the events they read (canonical names).
TIME_COMMANDS: Final = frozenset(
    {
        "datamodel", "dbinspect", "eventcount", "from", "mcatalog", "metadata", "metasearch", "mpreview", "mstats",
        "search", "searchtxn", "tstats", "typeahead", "walklex",
    }
)  # fmt: skip

Bound = Literal["earliest", "latest"]
# splunkd's deprecated modifiers, still honoured: name -> (bound, how the value reads as a modern modifier).
_LEGACY: Final[Mapping[str, tuple[Bound, str]]] = {
    "starttime": ("earliest", "{}"),
    "starttimeu": ("earliest", "{}"),
    "startdaysago": ("earliest", "-{}d"),
    "starthoursago": ("earliest", "-{}h"),
    "startminutesago": ("earliest", "-{}m"),
    "startmonthsago": ("earliest", "-{}mon"),
    "daysago": ("earliest", "-{}d"),
    "hoursago": ("earliest", "-{}h"),
    "minutesago": ("earliest", "-{}m"),
    "monthsago": ("earliest", "-{}mon"),
    "searchtimespandays": ("earliest", "-{}d"),
    "searchtimespanhours": ("earliest", "-{}h"),
    "searchtimespanminutes": ("earliest", "-{}m"),
    "searchtimespanmonths": ("earliest", "-{}mon"),
    "endtime": ("latest", "{}"),
    "endtimeu": ("latest", "{}"),
    "enddaysago": ("latest", "-{}d"),
    "endhoursago": ("latest", "-{}h"),
    "endminutesago": ("latest", "-{}m"),
    "endmonthsago": ("latest", "-{}mon"),
}
_MODERN: Final[Mapping[str, tuple[Bound, str]]] = {"earliest": ("earliest", "{}"), "latest": ("latest", "{}")}


@dataclass(frozen=True, slots=True)
class TimeTerm:
    bound: Bound
    modifier: str  # as a modern time modifier
    written: str  # ``name=value`` as the query wrote it (for messages)


def time_terms(commands: Iterable[Command]) -> Iterator[TimeTerm]:
    """Every inline time bound of these commands, in order."""
    for command in commands:
        if canonical(command.name) not in TIME_COMMANDS:
            continue
        tokens = command.tokens
        for name, equals, value in zip(tokens, tokens[1:], tokens[2:], strict=False):
            if equals.kind != OP or equals.value != "=" or value.kind == OP:
                continue
            rule = _MODERN.get(name.value.lower()) or _LEGACY.get(name.value.lower())
            if rule is not None:
                bound, form = rule
                yield TimeTerm(bound, form.format(value.value), f"{name.value}={value.value[:40]}")
