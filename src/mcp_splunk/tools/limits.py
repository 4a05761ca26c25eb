"""Output budgets: every tool result stays under ``MCP_SPLUNK_MAX_OUTPUT_CHARS``, with honest truncation notes.

A result carries its data twice, as ``structuredContent`` and as the same JSON in its text, so each half gets half
the budget. Rows are fitted before the result is built, leaving room for the rest of the result, so both halves
agree on how many rows were returned and say how to fetch the rest; the adapter's cut of an oversized text is
only a safety net.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# The structured half's share of the budget; its JSON text, the other half, is the same size.
STRUCTURED_SHARE = 0.5
# Room for what is added after the rows are fitted (the paging envelope, a truncation note with its hint).
_ENVELOPE_SLACK = 400


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def json_size(value: Any) -> int:
    return len(compact_json(value))


def fit_rows(rows: Sequence[Any], max_chars: int, *, around: Mapping[str, Any] | None = None) -> int:
    """How many leading rows fit in the structured half of ``max_chars`` next to ``around`` (the result without
    its rows)."""
    share = int(max_chars * STRUCTURED_SHARE)
    budget = share - json_size(around or {}) - min(_ENVELOPE_SLACK, share // 4)
    used = 2
    for count, row in enumerate(rows):
        used += json_size(row) + 1
        if used > budget:
            return count
    return len(rows)


def fit_text(text: str, room: int) -> int:
    """How many leading characters of ``text`` fit in ``room`` characters once written as a JSON string."""
    keep = min(len(text), max(0, room))
    while keep and (size := json_size(text[:keep])) > room:
        keep = min(keep - 1, keep * room // size)  # escapes make JSON longer than the text: shrink in proportion
    return keep


def truncation(returned: int, available: int, *, more: str, reason: str = "output_limit") -> dict[str, Any] | None:
    """The ``truncated`` note for a result that returns fewer rows than asked for, else None.

    ``more`` says how to get the rest (the offset, page or sid to ask for next).
    """
    if returned >= available:
        return None
    return {"reason": reason, "rows_returned": returned, "rows_available": available, "hint": more}


def cap_text(text: str, max_chars: int) -> str:
    limit = int(max_chars * (1 - STRUCTURED_SHARE))
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 120)] + (
        f"\n… [text cut at {limit} characters (MCP_SPLUNK_MAX_OUTPUT_CHARS); structuredContent holds the whole result]"
    )
