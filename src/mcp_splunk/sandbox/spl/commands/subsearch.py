"""Turning subsearch results into search text (``format``, ``return``), and ``append`` / ``join``."""

from __future__ import annotations

from typing import Any

from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    ParsedSearch,
    RunEnv,
    parse_int,
    register,
)
from mcp_splunk.sandbox.spl.values import Row, multi, to_text
from mcp_splunk.spl import OP, SUBSEARCH


def _quote(value: Any) -> str:
    return '"' + to_text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _term(name: str, value: Any) -> str:
    values = multi(value)
    terms = [f"{name}={_quote(item)}" for item in values]
    return terms[0] if len(terms) == 1 else "( " + " OR ".join(terms) + " )"


def format_rows(rows: list[Row]) -> str:
    """``format``'s text: ``( ( a="x" AND b="y" ) OR ( ... ) )``; ``NOT ()`` when there is nothing."""
    groups = []
    for row in rows:
        terms = [_term(name, value) for name, value in row.items() if not name.startswith("_") and multi(value)]
        if terms:
            groups.append("( " + " AND ".join(terms) + " )")
    return "( " + " OR ".join(groups) + " )" if groups else "NOT ()"


def subsearch_text(rows: list[Row]) -> str:
    """What a subsearch contributes to the search that embeds it (a ``search`` field is used verbatim)."""
    if rows and "search" in rows[0]:
        return to_text(rows[0]["search"])
    return format_rows(rows)


def only_subsearch(command: Command) -> ParsedSearch:
    if len(command.subsearches) != 1:
        raise command.error("This command requires exactly one subsearch")
    return command.subsearches[0]


@register("format")
class FormatCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        if spec.tokens:
            raise self.error("This command takes no arguments in the sandbox")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        return [{"search": format_rows(rows)}]


@register("return")
class ReturnCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        words = ArgReader(self.name, spec.tokens, spec.args)
        self.count = 1
        self.items: list[tuple[str, str, bool]] = []  # (output name, field, value only)
        tokens = words.rest()
        if tokens and tokens[0].value.isdigit():
            self.count = parse_int(self.name, "count", tokens.pop(0).value, minimum=1)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if index + 2 < len(tokens) and tokens[index + 1].kind == OP and tokens[index + 1].value == "=":
                self.items.append((token.value, tokens[index + 2].value, False))
                index += 3
            elif token.value.startswith("$"):
                self.items.append(("", token.value[1:], True))
                index += 1
            else:
                self.items.append((token.value, token.value, False))
                index += 1
        if not self.items:
            raise self.error("Missing the fields to return")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        clauses = []
        for row in rows[: self.count]:
            parts = [
                _quote(row[source]) if bare else f"{alias}={_quote(row[source])}"
                for alias, source, bare in self.items
                if row.get(source) is not None
            ]
            if parts:
                clauses.append(" ".join(parts))
        if len(clauses) > 1:
            clauses = [f"({clause})" for clause in clauses]
        return [{"search": " OR ".join(clauses)}]


@register("append")
class AppendCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        self.sub = only_subsearch(self)

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        return rows + env.run_subsearch(self.sub)


@register("join")
class JoinCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("type", "max", "overwrite", "usetime", "earlier")
        self.join_type = options.get("type", "inner").lower()
        if self.join_type not in ("inner", "left", "outer"):
            raise self.error(f"Invalid join type '{self.join_type}'")
        self.max = parse_int(self.name, "max", options.get("max", "1"))
        self.overwrite = options.get("overwrite", "true").lower() not in ("false", "f", "0")
        self.sub = only_subsearch(self)
        self.fields = [t.value for t in reader.rest() if t.kind != SUBSEARCH and not (t.kind == OP and t.value == ",")]
        if not self.fields:
            raise self.error("Missing the join fields")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        right: dict[tuple[str, ...], list[Row]] = {}
        for row in env.run_subsearch(self.sub):
            key = self._key(row)
            if key is not None:
                right.setdefault(key, []).append(row)
        joined: list[Row] = []
        for row in rows:
            key = self._key(row)
            matches = right.get(key, []) if key is not None else []
            if self.max:
                matches = matches[: self.max]
            if not matches and self.join_type != "inner":
                joined.append(row)
            for match in matches:
                joined.append({**row, **match} if self.overwrite else {**match, **row})
        return joined

    def _key(self, row: Row) -> tuple[str, ...] | None:
        values = [row.get(name) for name in self.fields]
        return None if any(value is None for value in values) else tuple(to_text(value) for value in values)
