"""Turn internal rows into splunkd's JSON result values: strings, lists of strings, ``_time`` formatted."""

from __future__ import annotations

from typing import Any

from mcp_splunk.sandbox.spl.timemod import format_time
from mcp_splunk.sandbox.spl.values import Row, to_number, to_text


def render_value(name: str, value: Any) -> str | list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        items = [render_value(name, item) for item in value]
        texts = [item for item in items if isinstance(item, str)]
        return texts or None
    if name == "_time" and not isinstance(value, str):
        number = to_number(value)
        if number is not None:
            return format_time(number)
    return to_text(value)


def render_row(row: Row) -> dict[str, str | list[str]]:
    """JSON rendering of one row: strings; multivalue -> list of strings; None -> key omitted."""
    rendered: dict[str, str | list[str]] = {}
    for name, value in row.items():
        text = render_value(name, value)
        if text is not None:
            rendered[name] = text
    return rendered
