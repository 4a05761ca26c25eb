"""``explain``: a query's steps, time range, indexes and cost warnings, from the gateway's own SPL walk."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from mcp_splunk.explain.advice import advise
from mcp_splunk.explain.args import join_keys
from mcp_splunk.explain.describe import describe
from mcp_splunk.explain.frames import Frame, frames
from mcp_splunk.explain.model import Explanation, MacroNote, Step
from mcp_splunk.explain.scope import all_indexes, time_range
from mcp_splunk.policy.catalogue import KNOWN, canonical

# The policy's own reading of the parser JSON, so both walk the same expansion.
from mcp_splunk.policy.policy import parser_pipeline
from mcp_splunk.policy.walker import Command, walk
from mcp_splunk.spl import SplSyntaxError


def explain(
    query: str,
    *,
    earliest: str | None = None,
    latest: str | None = None,
    parsed: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> Explanation:
    """Explain ``query``, run over ``earliest``..``latest`` (None: no bound).

    Pass the text as splunkd receives it (``search`` prefixed where implied), as for the policy. ``parsed`` is the
    target's ``search/parser`` JSON for it: its commands have the macros expanded, so the steps and warnings then
    cover the macro bodies. Raises ``SplSyntaxError`` for text the lexer rejects.
    """
    moment = time.time() if now is None else now
    lexical = walk(query, is_command=_is_command)
    tree, notes = lexical, []
    if parsed is not None:
        try:
            tree = walk(parser_pipeline(parsed), is_command=_is_command, parser_output=True)
        except (SplSyntaxError, TypeError, ValueError) as exc:
            notes.append(f"The target parser's expansion was unusable ({exc}); the steps show the query as written.")
            parsed = None
    walked = frames(query, tree.pipeline)
    macros = tuple(MacroNote(use.call, use.location, parsed is not None and use.expandable) for use in lexical.macros)
    hidden = list(dict.fromkeys(macro.call for macro in macros if not macro.expanded))
    if hidden:
        notes.append(
            f"Macro {', '.join(hidden)} is shown unexpanded: only the target Splunk knows its body, so what it "
            "searches (and costs) is not covered here."
        )
    return Explanation(
        query=query,
        steps=tuple(_steps(walked)),
        time_range=time_range(walked, earliest, latest, moment),
        indexes=all_indexes(walked),
        macros=macros,
        warnings=tuple(advise(walked, earliest, moment)),
        notes=tuple(notes),
    )


_ROLES: Final[Mapping[str, str]] = {
    "append": "runs on its own; its rows are added after the current rows",
    "appendcols": "runs on its own; its columns are added to the current rows, row by row",
    "join": "runs first; its rows are joined to the current rows on {keys}",
    "union": "one of the datasets whose rows are combined",
    "multisearch": "one of the event searches run together",
    "set": "one of the result sets combined",
    "appendpipe": "runs over the current rows; its output is added after them",
    "foreach": "a template run once per matching field, <<FIELD>> replaced by its name",
    "map": "a search run once per input row, $field$ replaced by the row's values",
}


def _nested_role(container: Command, role: str) -> str:
    """What the container does with the rows of a nested search."""
    name = canonical(container.name)
    if name in _ROLES:
        keys = ", ".join(join_keys(container.tokens)) or "the fields both sides share"
        return _ROLES[name].format(keys=keys)
    if role == "inserted":
        return f"a subsearch: it runs first and its rows become search terms of '{name}' (field=value, rows OR-ed)"
    return f"nested in '{name}'"


def _is_command(word: str) -> bool:
    return canonical(word) in KNOWN


def _steps(walked: Sequence[Frame]) -> Iterator[Step]:
    """Every command in order, each nested search right after the command that holds it."""
    children: dict[str | None, list[Frame]] = defaultdict(list)
    for frame in walked:
        children[frame.parent_id].append(frame)
    yield from _frame_steps(walked[0], children)


def _frame_steps(frame: Frame, children: Mapping[str | None, list[Frame]]) -> Iterator[Step]:
    container = frame.container
    for position, command in enumerate(frame.pipeline.commands):
        role = _nested_role(container, frame.pipeline.role) if container is not None and position == 0 else None
        yield Step(
            id=frame.ids[position],
            parent=frame.parent_id,
            depth=frame.depth,
            command=command.name,
            spl=frame.spl[position],
            description=describe(command, frame.spl[position], reads_events=position == 0 and frame.events),
            location=command.location,
            nested_role=role,
        )
        for child in children.get(frame.ids[position], ()):
            yield from _frame_steps(child, children)
