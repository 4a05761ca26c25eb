"""``fieldsummary``: one row of statistics per field of the rows in the pipeline.

Columns as splunkd writes them: field, count (rows with the field), distinct_count, is_exact (1 unless the field
has more distinct values than ``maxvals``), max, mean, min (over the numeric values; empty when there are none),
numeric_count, stdev (sample) and values (a JSON list of the ``maxvals`` commonest ``{"value", "count"}``, most
common first). Internal fields (``_time``, ``_raw``, ...) are not summarised, as in splunkd.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from typing import Any

from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    RunEnv,
    field_names,
    parse_int,
    register,
)
from mcp_splunk.sandbox.spl.values import Row, format_number, match_names, multi, to_number, to_text

_DEFAULT_MAXVALS = "100"


@register("fieldsummary")
class FieldsummaryCommand(Command):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        self.maxvals = parse_int(self.name, "maxvals", reader.options("maxvals").get("maxvals", _DEFAULT_MAXVALS))
        self.patterns = field_names(self.name, reader.rest())

    def describe_args(self) -> dict[str, Any]:
        return {"maxvals": self.maxvals, "fields": self.patterns}

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        names = sorted({name for row in rows for name in row if not name.startswith("_")})
        if self.patterns:
            chosen = {name for pattern in self.patterns for name in match_names(pattern, names)}
            names = [name for name in names if name in chosen]
        return [self._summary(name, rows) for name in names if any(multi(row.get(name)) for row in rows)]

    def _summary(self, name: str, rows: list[Row]) -> Row:
        present = [values for row in rows if (values := multi(row.get(name)))]
        counts = Counter(to_text(value) for values in present for value in values)
        numbers = [n for values in present for value in values if (n := to_number(value)) is not None]
        # Most common first; equal counts in value order, so the output does not depend on row order.
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        kept = ranked[: self.maxvals] if self.maxvals else ranked
        return {
            "field": name,
            "count": str(len(present)),
            "distinct_count": str(len(counts)),
            "is_exact": "1" if not self.maxvals or len(counts) <= self.maxvals else "0",
            "max": format_number(max(numbers)) if numbers else None,
            "mean": format_number(sum(numbers) / len(numbers)) if numbers else None,
            "min": format_number(min(numbers)) if numbers else None,
            "numeric_count": str(len(numbers)),
            "stdev": format_number(statistics.stdev(numbers)) if len(numbers) > 1 else None,
            "values": json.dumps([{"value": v, "count": c} for v, c in kept], separators=(",", ":")),
        }
