"""Time and value bucketing: ``timechart``, ``chart`` and ``bin``/``bucket``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from mcp_splunk.sandbox.spl.aggregates import Aggregate, output_value, parse_aggregates
from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    RunEnv,
    field_names,
    parse_bool,
    parse_int,
    register,
    split_by,
)
from mcp_splunk.sandbox.spl.timemod import parse_span
from mcp_splunk.sandbox.spl.values import Row, format_number, multi, sort_key, to_number, to_text

# Default timechart/bin spans, in seconds: the smallest giving at most MAX_BUCKETS buckets wins.
DEFAULT_SPANS: Final = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10800, 43200, 86400, 604800, 2592000)
MAX_BUCKETS: Final = 100
_CHART_OPTIONS: Final = (
    "limit",
    "useother",
    "usenull",
    "otherstr",
    "nullstr",
    "cont",
    "partial",
    "bins",
    "agg",
)


def default_span(earliest: float, latest: float) -> int:
    width = max(latest - earliest, 1)
    return next((span for span in DEFAULT_SPANS if math.ceil(width / span) <= MAX_BUCKETS), DEFAULT_SPANS[-1])


def snap(value: float, span: float) -> float:
    return math.floor(value / span) * span


def _time_extent(rows: list[Row], env: RunEnv) -> tuple[float, float] | None:
    """The chart's time range: the search range where bounded, else the data's."""
    times = [t for row in rows if isinstance(t := row.get("_time"), int | float)]
    earliest = env.earliest if env.earliest is not None and env.earliest > 0 else min(times, default=None)
    latest = env.latest if env.latest is not None else (max(times) + 1 if times else None)
    return None if earliest is None or latest is None or latest <= earliest else (earliest, latest)


class _Pivot(Command):
    """Aggregates per row key (a time bucket or a value) and per series (a by-field value)."""

    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        self.options = reader.options("span", *_CHART_OPTIONS)
        self.limit = parse_int(self.name, "limit", self.options.get("limit", "10"))
        self.useother = parse_bool(self.name, "useother", self.options.get("useother", "true"))
        self.usenull = parse_bool(self.name, "usenull", self.options.get("usenull", "true"))
        self.otherstr = self.options.get("otherstr", "OTHER")
        self.nullstr = self.options.get("nullstr", "NULL")
        self.span = parse_span(self.options["span"]) if "span" in self.options else None
        before, after = split_by(self.name, reader.rest())
        self.aggregates = parse_aggregates(self.name, before)
        self.by = field_names(self.name, after)
        if not self.aggregates:
            raise self.error("Missing a statistical function, as in count or avg(x)")

    def series_of(self, row: Row, field: str | None) -> str | None:
        if field is None:
            return ""
        values = multi(row.get(field))
        if not values:
            return self.nullstr if self.usenull else None
        return to_text(values[0])

    def pivot(self, keyed: list[tuple[Any, Row]], keys: list[Any], field: str | None, key_name: str) -> list[Row]:
        cells: dict[tuple[Any, str], list[Row]] = {}
        for key, row in keyed:
            series = self.series_of(row, field)
            if series is not None:
                cells.setdefault((key, series), []).append(row)
        series_names = self._ranked_series(cells, field)
        kept = set(series_names)
        if field is not None and self.useother and any(series not in kept for _, series in cells):
            for (key, series), members in list(cells.items()):
                if series not in kept:
                    cells.setdefault((key, self.otherstr), []).extend(members)
            series_names.append(self.otherstr)
        result = []
        for key in keys:
            output: Row = {key_name: key}
            for series in series_names:
                members = cells.get((key, series), [])
                for aggregate in self.aggregates:
                    value = aggregate.compute(members) if members or aggregate.function in ("count", "c") else None
                    output[self._column(aggregate, series, field)] = output_value(value)
            result.append(output)
        return result

    def _column(self, aggregate: Aggregate, series: str, field: str | None) -> str:
        if field is None:
            return aggregate.alias
        return series if len(self.aggregates) == 1 else f"{aggregate.alias}: {series}"

    def _ranked_series(self, cells: dict[tuple[Any, str], list[Row]], field: str | None) -> list[str]:
        if field is None:
            return [""]
        totals: dict[str, float] = {}
        first = self.aggregates[0]
        for (_, series), members in cells.items():
            if series != self.nullstr:
                totals[series] = totals.get(series, 0.0) + (to_number(first.compute(members)) or 0.0)
        ranked = sorted(totals, key=lambda name: -totals[name])
        kept = sorted(ranked[: self.limit] if self.limit else ranked, key=sort_key)
        return kept + ([self.nullstr] if any(series == self.nullstr for _, series in cells) else [])


@register("timechart")
class TimechartCommand(_Pivot):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        if len(self.by) > 1:
            raise self.error("Only one field can follow 'by' in timechart")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        extent = _time_extent(rows, env)
        if extent is None:
            return []
        span = self.span or default_span(*extent)
        start, last = snap(extent[0], span), snap(math.nextafter(extent[1], -math.inf), span)
        keys = [start + index * span for index in range(round((last - start) / span) + 1)]
        keyed = [
            (snap(t, span), row)
            for row in rows
            if isinstance(t := row.get("_time"), int | float) and start <= t < last + span
        ]
        result = self.pivot(keyed, keys, self.by[0] if self.by else None, "_time")
        span_text = format_number(span)
        for row in result:
            row["_span"] = span_text
        return result


@register("chart")
class ChartCommand(_Pivot):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        over = [t for t in spec.tokens if t.value.lower() == "over"]
        if over:
            raise self.error("Use 'chart <function> by <row field> [<column field>]' in the sandbox")
        if not 1 <= len(self.by) <= 2:
            raise self.error("chart needs one or two fields after 'by'")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        row_field = self.by[0]
        keyed = [(value, row) for row in rows for value in dict.fromkeys(multi(row.get(row_field)))]
        keys = sorted({key for key, _ in keyed}, key=sort_key)
        return self.pivot(keyed, keys, self.by[1] if len(self.by) > 1 else None, row_field)


def _nice_span(low: float, high: float, bins: int) -> float:
    width = (high - low) / bins
    return 10 ** math.ceil(math.log10(width)) if width > 0 else 1.0


@register("bin", "bucket")
class BinCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("span", "bins", "minspan", "start", "end", "aligntime")
        self.span = parse_span(options["span"]) if "span" in options else None
        self.bins = parse_int(self.name, "bins", options.get("bins", str(MAX_BUCKETS)), minimum=1)
        words = reader.words()
        if len(words) == 3 and words[1].lower() == "as":
            self.field, self.output = words[0], words[2]
        elif len(words) == 1:
            self.field = self.output = words[0]
        else:
            raise self.error("Usage: bin [span=<span>] <field> [AS <newfield>]")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        numbers = [n for row in rows if (n := to_number(row.get(self.field))) is not None]
        if not numbers:
            return rows
        is_time = self.field == "_time"
        span = self.span
        if span is None:
            low, high = min(numbers), max(numbers)
            if is_time:
                extent = _time_extent(rows, env) or (low, high + 1)
                span = float(default_span(*extent))
            else:
                span = _nice_span(low, high, self.bins)
        label: Callable[[float], Any] = (
            (lambda start: start)
            if is_time
            else (lambda start: f"{format_number(start)}-{format_number(start + span)}")
        )
        for row in rows:
            number = to_number(row.get(self.field))
            if number is not None:
                row[self.output] = label(snap(number, span))
        return rows
