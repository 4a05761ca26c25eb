"""Commands that choose, order, rename or fill fields: ``fields``, ``table``, ``rename``, ``fillnull``."""

from __future__ import annotations

import re
from typing import Any

from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    RunEnv,
    field_names,
    register,
)
from mcp_splunk.sandbox.spl.values import Row, match_names
from mcp_splunk.spl import OP, STRING, WORD


def _select(row: Row, patterns: list[str]) -> list[str]:
    names = list(row)
    chosen: list[str] = []
    for pattern in patterns:
        chosen.extend(name for name in match_names(pattern, names) if name not in chosen)
    return chosen


@register("fields")
class FieldsCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        tokens = list(spec.tokens)
        self.remove = bool(tokens) and tokens[0].kind == WORD and tokens[0].value == "-"
        if tokens and tokens[0].kind == WORD and tokens[0].value in "+-":
            tokens.pop(0)
        self.patterns = field_names(self.name, tokens)
        if not self.patterns:
            raise self.error("Missing the list of fields")
        self.orders_fields = not self.remove  # "fields +" fixes the column order, "fields -" does not

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        result = []
        for row in rows:
            chosen = _select(row, self.patterns)
            if self.remove:
                result.append({name: value for name, value in row.items() if name not in chosen})
            else:  # internal fields such as _time and _raw stay unless removed explicitly
                kept = {name: row[name] for name in chosen}
                kept.update((name, value) for name, value in row.items() if name.startswith("_") and name not in kept)
                result.append(kept)
        return result


@register("table")
class TableCommand(Command):
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        self.patterns = field_names(self.name, spec.tokens)
        if not self.patterns:
            raise self.error("Missing the list of fields")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        result = []
        for row in rows:
            table: Row = {}
            for pattern in self.patterns:
                if "*" in pattern:
                    table.update((name, row[name]) for name in match_names(pattern, list(row)))
                else:  # a named column exists even where the row has no value
                    table[pattern] = row.get(pattern)
            result.append(table)
        return result


def _rename_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("(.*)".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


@register("rename")
class RenameCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        tokens = [t for t in spec.tokens if not (t.kind == OP and t.value == ",")]
        if not tokens or len(tokens) % 3 or any(t.kind not in (WORD, STRING) for t in tokens):
            raise self.error("Usage: rename <field> AS <newname>[, <field> AS <newname>]...")
        self.pairs: list[tuple[re.Pattern[str], str]] = []
        for index in range(0, len(tokens), 3):
            old, keyword, new = tokens[index : index + 3]
            if keyword.value.lower() != "as" or keyword.kind != WORD:
                raise self.error("Usage: rename <field> AS <newname>[, <field> AS <newname>]...")
            if old.value.count("*") != new.value.count("*") and new.value.count("*"):
                raise self.error(f"Wildcard mismatch: '{old.value}' as '{new.value}'")
            self.pairs.append((_rename_regex(old.value), new.value))

    def _new_name(self, name: str) -> str:
        for regex, target in self.pairs:
            match = regex.fullmatch(name)
            if match is not None:
                parts = target.split("*")
                return parts[0] + "".join(group + part for group, part in zip(match.groups(), parts[1:], strict=False))
        return name

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        result = []
        for row in rows:
            renamed = {name: self._new_name(name) for name in row}
            targets = {new for old, new in renamed.items() if new != old}
            output: Row = {}
            for name, value in row.items():
                new = renamed[name]
                if new != name or name not in targets:  # a renamed field replaces one of the same name
                    output[new] = value
            result.append(output)
        return result


@register("fillnull")
class FillnullCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        self.value: Any = reader.options("value").get("value", "0")
        self.fields = field_names(self.name, reader.rest())

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        names = self.fields or list(dict.fromkeys(name for row in rows for name in row))
        result = []
        for row in rows:
            filled = dict(row)
            for name in names:
                if filled.get(name) is None or filled.get(name) == "":
                    filled[name] = self.value
            result.append(filled)
        return result
