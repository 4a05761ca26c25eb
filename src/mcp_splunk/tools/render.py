"""Compact, readable text for tool results (the ``content`` half of every result)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_CELL = 120


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        text = ", ".join(cell(v) for v in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    text = text.replace("\n", " ").replace("\t", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def table(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> str:
    """A plain text table: a header line, then one tab-separated line per row."""
    if not rows:
        return "(no rows)"
    lines = ["\t".join(fields)]
    lines.extend("\t".join(cell(row.get(f)) for f in fields) for row in rows)
    return "\n".join(lines)


def pairs(items: Iterable[tuple[str, Any]]) -> str:
    return "\n".join(f"{key}: {cell(value)}" for key, value in items)
