"""Output budgets: every tool result stays under ``MCP_SPLUNK_MAX_OUTPUT_CHARS``, with honest truncation flags.

Rows are fitted before the result is built, so the paging envelope, the structured rows and the text all agree
on how many rows were returned; the adapter's final cut on text is only a safety net.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Half the budget for the structured rows; the text rendering of the same rows takes about as much.
STRUCTURED_SHARE = 0.5


def json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def fit_rows(rows: Sequence[Mapping[str, Any]], max_chars: int) -> int:
    """How many leading rows fit in ``max_chars`` of JSON (the rows' structured share of the budget)."""
    budget = int(max_chars * STRUCTURED_SHARE)
    used = 2
    for count, row in enumerate(rows):
        used += json_size(row) + 1
        if used > budget:
            return count
    return len(rows)


def truncation(returned: int, available: int, *, reason: str = "output_limit") -> dict[str, Any] | None:
    """The ``truncated`` note for a result that returns fewer rows than asked for, else None."""
    if returned >= available:
        return None
    return {"reason": reason, "rows_returned": returned, "rows_available": available}


def cap_text(text: str, max_chars: int) -> str:
    limit = int(max_chars * (1 - STRUCTURED_SHARE))
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 80)] + f"\n… [text cut at {limit} characters; the structured result is complete]"
