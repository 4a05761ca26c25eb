"""Aggregate functions of stats, eventstats, timechart, chart and tstats, and their ``f(x) AS y`` syntax."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from mcp_splunk.sandbox.spl.errors import command_error
from mcp_splunk.sandbox.spl.values import Row, multi, sort_key, to_number, to_text
from mcp_splunk.spl import OP, STRING, WORD, Token

LIST_LIMIT: Final = 100


def _numbers(values: list[Any]) -> list[int | float]:
    return [number for number in map(to_number, values) if number is not None]


def _sum(values: list[Any]) -> Any:
    numbers = _numbers(values)
    return sum(numbers) if numbers else None


def _avg(values: list[Any]) -> Any:
    numbers = _numbers(values)
    return sum(numbers) / len(numbers) if numbers else None


def _extreme(pick: Callable[..., Any]) -> Callable[[list[Any]], Any]:
    def apply(values: list[Any]) -> Any:
        numbers = _numbers(values)
        if numbers:
            return pick(numbers)
        return pick(values, key=to_text) if values else None  # no numbers: lexical order

    return apply


def _range(values: list[Any]) -> Any:
    numbers = _numbers(values)
    return max(numbers) - min(numbers) if numbers else None


def _median(values: list[Any]) -> Any:
    numbers = _numbers(values)
    return statistics.median(numbers) if numbers else None


def _spread(measure: Callable[[list[float]], float]) -> Callable[[list[Any]], Any]:
    def apply(values: list[Any]) -> Any:
        numbers = [float(n) for n in _numbers(values)]
        return measure(numbers) if len(numbers) > 1 else None  # sample statistics need two values

    return apply


def _mode(values: list[Any]) -> Any:
    return statistics.mode([to_text(v) for v in values]) if values else None


def _values(values: list[Any]) -> Any:
    distinct = sorted({to_text(value) for value in values})
    return distinct or None


# Functions of the values of one field, in row order.
VALUE_FUNCTIONS: Final[dict[str, Callable[[list[Any]], Any]]] = {
    "count": len,
    "c": len,
    "dc": lambda values: len({to_text(value) for value in values}),
    "distinct_count": lambda values: len({to_text(value) for value in values}),
    "sum": _sum,
    "avg": _avg,
    "mean": _avg,
    "min": _extreme(min),
    "max": _extreme(max),
    "range": _range,
    "median": _median,
    "stdev": _spread(statistics.stdev),
    "var": _spread(statistics.variance),
    "mode": _mode,
    "values": _values,
    "list": lambda values: [to_text(value) for value in values[:LIST_LIMIT]] or None,
    "first": lambda values: values[0] if values else None,
    "last": lambda values: values[-1] if values else None,
}
TIME_FUNCTIONS: Final = frozenset(("earliest", "latest"))  # pick by the rows' _time, not by row order


@dataclass(frozen=True, slots=True)
class Aggregate:
    function: str  # lower-cased
    field: str | None
    alias: str

    def compute(self, rows: list[Row]) -> Any:
        if self.field is None:
            return len(rows)
        name = self.field
        if self.function in TIME_FUNCTIONS:
            timed = [(row.get("_time"), row[name]) for row in rows if multi(row.get(name))]
            if not timed:
                return None
            pick = min if self.function == "earliest" else max
            return pick(timed, key=lambda pair: sort_key(pair[0]))[1]
        values = [value for row in rows for value in multi(row.get(name))]
        return VALUE_FUNCTIONS[self.function](values)


def parse_aggregates(command: str, tokens: list[Token], *, allowed: frozenset[str] | None = None) -> list[Aggregate]:
    """``count``, ``count(f)``, ``avg(f) AS g`` ..., separated by spaces or commas."""
    aggregates: list[Aggregate] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == OP and token.value == ",":
            index += 1
            continue
        if token.kind != WORD:
            raise command_error(command, f"Invalid argument: '{token.value}'")
        function = token.value.lower()
        known = function in VALUE_FUNCTIONS or function in TIME_FUNCTIONS
        if not known or (allowed is not None and function not in allowed):
            raise command_error(command, f"Unknown or unsupported statistical function '{token.value}'")
        index += 1
        field: str | None = None
        label = token.value
        if index < len(tokens) and tokens[index].kind == OP and tokens[index].value == "(":
            if (
                index + 2 >= len(tokens)
                or tokens[index + 1].kind not in (WORD, STRING)
                or tokens[index + 2].value != ")"
            ):
                raise command_error(command, f"The argument to '{token.value}' must be one field name")
            field = tokens[index + 1].value
            label = f"{token.value}({field})"
            index += 3
        elif function not in ("count", "c"):
            raise command_error(command, f"The '{token.value}' function requires a field name, as in {token.value}(x)")
        if index + 1 < len(tokens) and tokens[index].kind == WORD and tokens[index].value.lower() == "as":
            label = tokens[index + 1].value
            index += 2
        aggregates.append(Aggregate(function, field, label))
    return aggregates


def output_value(value: Any) -> Any:
    """Aggregates come out as strings (multivalues as lists of strings), as in splunkd's results."""
    if value is None or isinstance(value, list):
        return value
    return to_text(value)
