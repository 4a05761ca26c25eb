"""Grouping aggregations: ``stats``, ``eventstats``, ``top``, ``rare``."""

from __future__ import annotations

from collections import Counter
from itertools import product
from typing import Any

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
from mcp_splunk.sandbox.spl.errors import command_error
from mcp_splunk.sandbox.spl.values import Row, multi, sort_key
from mcp_splunk.spl import OP, WORD, Token

GroupKey = tuple[Any, ...]


def group_rows(rows: list[Row], by: list[str]) -> dict[GroupKey, list[Row]]:
    """Rows per combination of by-field values; a multivalue joins one group per value, a null joins none."""
    groups: dict[GroupKey, list[Row]] = {}
    if len(by) == 1:  # the common case, kept cheap
        name = by[0]
        for row in rows:
            value = row.get(name)
            if isinstance(value, list):
                for item in dict.fromkeys(multi(value)):
                    groups.setdefault((item,), []).append(row)
            elif value is not None:
                groups.setdefault((value,), []).append(row)
        return groups
    for row in rows:
        for key in product(*(dict.fromkeys(multi(row.get(name))) for name in by)):
            groups.setdefault(key, []).append(row)
    return groups


def sorted_keys(groups: dict[GroupKey, list[Row]]) -> list[GroupKey]:
    return sorted(groups, key=lambda key: tuple(sort_key(value) for value in key))


def aggregate_rows(rows: list[Row], aggregates: list[Aggregate], by: list[str]) -> list[Row]:
    """One row per group (sorted by key): by-fields, then aggregates. Without by: one row overall."""
    if not by:
        return [{a.alias: output_value(a.compute(rows)) for a in aggregates}]
    groups = group_rows(rows, by)
    result = []
    for key in sorted_keys(groups):
        row: Row = dict(zip(by, key, strict=True))
        row.update((a.alias, output_value(a.compute(groups[key]))) for a in aggregates)
        result.append(row)
    return result


def parse_stats_args(command: str, tokens: list[Token]) -> tuple[list[Aggregate], list[str]]:
    before, after = split_by(command, tokens)
    aggregates = parse_aggregates(command, before)
    if not aggregates:
        raise command_error(command, "Missing a statistical function, as in count or avg(x)")
    return aggregates, field_names(command, after)


@register("stats")
class StatsCommand(Command):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        reader.options("allnum", "delim", "partitions")  # accepted, no effect here
        self.aggregates, self.by = parse_stats_args(self.name, reader.rest())

    def describe_args(self) -> dict[str, Any]:
        return {
            "stat-specifiers": [{"function": a.function, "field": a.field, "rename": a.alias} for a in self.aggregates],
            "groupby-fields": self.by,
        }

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        return aggregate_rows(rows, self.aggregates, self.by)


@register("eventstats")
class EventstatsCommand(StatsCommand):
    kind = "events"
    orders_fields = False

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        groups = group_rows(rows, self.by) if self.by else {(): rows}
        for members in groups.values():
            values = [(a.alias, output_value(a.compute(members))) for a in self.aggregates]
            for row in members:
                row.update(values)
        return rows


@register("top", "rare")
class TopCommand(Command):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("limit", "countfield", "percentfield", "showcount", "showperc", "useother", "otherstr")
        tokens = reader.rest()
        if tokens and tokens[0].kind == WORD and tokens[0].value.isdigit():
            options.setdefault("limit", tokens.pop(0).value)
        self.limit = parse_int(self.name, "limit", options.get("limit", "10"))
        self.countfield = options.get("countfield", "count")
        self.percentfield = options.get("percentfield", "percent")
        self.showcount = parse_bool(self.name, "showcount", options.get("showcount", "true"))
        self.showperc = parse_bool(self.name, "showperc", options.get("showperc", "true"))
        self.useother = parse_bool(self.name, "useother", options.get("useother", "false"))
        self.otherstr = options.get("otherstr", "OTHER")
        before, after = split_by(self.name, tokens)
        self.fields = field_names(self.name, [t for t in before if not (t.kind == OP and t.value == ",")])
        self.by = field_names(self.name, after)
        if not self.fields:
            raise self.error("Missing the fields to count")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        groups = group_rows(rows, self.by) if self.by else {(): rows}
        result: list[Row] = []
        for key in sorted_keys(groups):
            counts = Counter(
                combo
                for row in groups[key]
                for combo in product(*(dict.fromkeys(multi(row.get(name))) for name in self.fields))
            )
            total = sum(counts.values())
            ranked = sorted(counts.items(), key=lambda item: item[1], reverse=self.name == "top")
            kept = ranked[: self.limit] if self.limit else ranked
            prefix = dict(zip(self.by, key, strict=True))
            for combo, count in kept:
                result.append(self._row(prefix, dict(zip(self.fields, combo, strict=True)), count, total))
            rest = sum(count for _, count in ranked[len(kept) :])
            if self.useother and rest:
                result.append(self._row(prefix, dict.fromkeys(self.fields, self.otherstr), rest, total))
        return result

    def _row(self, prefix: Row, values: Row, count: int, total: int) -> Row:
        row = {**prefix, **values}
        if self.showcount:
            row[self.countfield] = str(count)
        if self.showperc:
            row[self.percentfield] = f"{count * 100 / total:.6f}"
        return row
