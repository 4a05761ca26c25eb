"""A walked query as a flat list of pipelines (``Frame``), each knowing its container and its steps' ids.

The describers, the scope (indexes, time) and the advice all read the query this way: every pipeline, nested ones
right after the pipeline that holds them, with what its first command reads.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from mcp_splunk.explain.args import written
from mcp_splunk.policy.catalogue import canonical
from mcp_splunk.policy.walker import Command, Pipeline
from mcp_splunk.spl import WORD

# Commands that read indexed data when they start a pipeline (a first ``search`` reads raw events).
INDEX_READERS: Final = frozenset(
    {"search", "tstats", "mstats", "metadata", "eventcount", "metasearch", "mpreview", "searchtxn", "datamodel", "from"}
)
# Commands after which rows are statistics, no longer events.
TRANSFORMING: Final = frozenset(
    {
        "stats", "chart", "timechart", "top", "rare", "tstats", "mstats", "geostats", "sistats", "sichart",
        "sitimechart", "sitop", "sirare", "xyseries", "transpose", "contingency", "fieldsummary", "transaction",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Frame:
    pipeline: Pipeline
    container: Command | None  # the command whose [...] or map search holds this pipeline
    parent_id: str | None  # that command's step id
    ids: tuple[str, ...]  # each command's step id
    spl: tuple[str, ...]  # each command as written
    depth: int
    outer: Frame | None  # the pipeline that holds the container

    @property
    def first(self) -> Command:
        return self.pipeline.commands[0]

    @property
    def reader(self) -> str | None:
        """The canonical name of the first command if it reads indexed data, else None."""
        name = canonical(self.first.name)
        if name not in INDEX_READERS:
            return None
        if name == "search" and not self.runs_alone:
            return None  # a body or foreach template filters rows that are already there
        return name

    @property
    def events(self) -> bool:
        """Starts with a search of raw events."""
        return self.reader == "search"

    @property
    def runs_alone(self) -> bool:
        role = self.pipeline.role
        return role in ("top", "inserted", "results") or (
            role == "template" and self.container is not None and canonical(self.container.name) == "map"
        )

    def hides_macro(self, position: int) -> bool:
        """The command holds a macro call the walk could not see into (its text, or a masked word)."""
        command = self.pipeline.commands[position]
        masked = any(t.kind == WORD and len(t.value) >= 3 and not t.value.strip("_") for t in command.tokens)
        return "`" in self.spl[position] or masked


def frames(query: str, root: Pipeline) -> list[Frame]:
    """Every pipeline of the walk, depth first; ``query`` is the walked text (for each command as written)."""
    return list(_frames(query, root, container=None, outer=None, parent_id=None, prefix=""))


def _frames(
    query: str,
    pipeline: Pipeline,
    *,
    container: Command | None,
    outer: Frame | None,
    parent_id: str | None,
    prefix: str,
) -> Iterator[Frame]:
    ids = tuple(f"{prefix}{position}" for position in range(1, len(pipeline.commands) + 1))
    spl = tuple(written(query, command) for command in pipeline.commands)
    frame = Frame(pipeline, container, parent_id, ids, spl, 0 if outer is None else outer.depth + 1, outer)
    yield frame
    for command, command_id in zip(pipeline.commands, ids, strict=True):
        for index, nested in enumerate(command.pipelines):
            letter = string.ascii_lowercase[index] if index < len(string.ascii_lowercase) else f"_{index + 1}_"
            prefix = f"{command_id}{letter}."
            yield from _frames(query, nested, container=command, outer=frame, parent_id=command_id, prefix=prefix)
