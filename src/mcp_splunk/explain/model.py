"""The shape of an explanation: frozen dataclasses, flattened to plain JSON values by ``to_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """One command, in pipeline order; a command of a nested search names its container (``parent``)."""

    id: str  # "2" for the second top-level command; "2a.1" for the first command of step 2's first nested search
    parent: str | None  # the id of the command whose [...] (or map search) holds this one
    depth: int  # 0 at the top level
    command: str  # lower-cased, or the macro call as written where a macro stands for a command
    spl: str  # the command as written, nested searches shown as [...]
    description: str  # what it does, in plain words
    location: str  # where it stands, as the policy's findings say it
    nested_role: str | None = None  # for the first command of a nested search: what its container does with it


@dataclass(frozen=True, slots=True)
class TimeRange:
    earliest: str | None  # None: no lower bound
    latest: str | None  # None: up to now
    all_time: bool
    summary: str
    inline: tuple[str, ...]  # every earliest=/latest= written in the SPL, with where it stands


@dataclass(frozen=True, slots=True)
class IndexUse:
    name: str | None  # an index as written (a pattern keeps its *), or a data model; None where the role's
    # default indexes or a macro decide
    kind: str  # "index", "pattern", "all", "role default", "data model", "unknown"
    location: str


@dataclass(frozen=True, slots=True)
class MacroNote:
    call: str  # as written, backticks included
    location: str
    expanded: bool  # the target's parser expanded it, so the steps show its body


@dataclass(frozen=True, slots=True)
class Advice:
    """A cost warning an expert would give, with the rewrite it suggests."""

    code: str
    message: str
    suggestion: str
    location: str


@dataclass(frozen=True, slots=True)
class Explanation:
    query: str
    steps: tuple[Step, ...]
    time_range: TimeRange
    indexes: tuple[IndexUse, ...]
    macros: tuple[MacroNote, ...]
    warnings: tuple[Advice, ...]
    notes: tuple[str, ...] = ()  # limits of this explanation (e.g. a macro whose body is unknown)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (lists, not tuples), as a tool's ``structuredContent`` carries them."""
        return {key: _lists(value) for key, value in asdict(self).items()}

    @property
    def codes(self) -> list[str]:
        return [advice.code for advice in self.warnings]


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
