"""Order-sensitive commands: ``sort``, ``head``, ``tail``, ``dedup``."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, Final

from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    RunEnv,
    parse_bool,
    parse_int,
    register,
)
from mcp_splunk.sandbox.spl.errors import command_error
from mcp_splunk.sandbox.spl.values import Row, multi, sort_key, to_number, to_text
from mcp_splunk.spl import OP, WORD, Token

SORT_DEFAULT_LIMIT: Final = 10000


def _ip_key(value: Any) -> tuple[int, float, str]:
    try:
        return (0, float(int(ipaddress.ip_address(to_text(value).strip()))), "")
    except ValueError:
        return (1, 0.0, to_text(value))


def _num_key(value: Any) -> tuple[int, float, str]:
    number = to_number(value)
    return (0, float(number), "") if number is not None else (1, 0.0, to_text(value))


_KEY_FUNCTIONS: Final[dict[str, Callable[[Any], tuple[int, float, str]]]] = {
    "auto": sort_key,
    "num": _num_key,
    "str": lambda value: (1, 0.0, to_text(value)),
    "ip": _ip_key,
}


def parse_sort_keys(command: str, tokens: list[Token]) -> list[tuple[str, bool, str]]:
    """``[-|+]field``, ``-num(field)`` ... as (field, descending, mode).

    A trailing ``d``/``desc`` reverses every key.
    """
    keys: list[tuple[str, bool, str]] = []
    descending = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.kind == OP and token.value == ",":
            continue
        if token.kind == OP:
            raise command_error(command, f"Invalid sort key near '{token.value}'")
        text = token.value
        if text in ("+", "-"):
            descending = text == "-"
            continue
        if text[0] in "+-":
            descending, text = text[0] == "-", text[1:]
        mode = "auto"
        if index < len(tokens) and tokens[index].kind == OP and tokens[index].value == "(":
            mode = text.lower()
            if mode not in _KEY_FUNCTIONS or index + 2 >= len(tokens) or tokens[index + 2].value != ")":
                raise command_error(command, f"Invalid sort function '{text}'")
            text = tokens[index + 1].value
            index += 3
        keys.append((text, descending, mode))
        descending = False
    if len(keys) > 1 and keys[-1][0].lower() in ("d", "desc") and keys[-1][2] == "auto":
        keys = [(name, not desc, mode) for name, desc, mode in keys[:-1]]
    if not keys:
        raise command_error(command, "Missing the fields to sort by")
    return keys


def _row_key(name: str, key_of: Callable[[Any], tuple[int, float, str]]) -> Callable[[Row], tuple[int, float, str]]:
    return lambda row: key_of(row[name])


def sort_rows(rows: list[Row], keys: list[tuple[str, bool, str]]) -> list[Row]:
    ordered = list(rows)
    for name, descending, mode in reversed(keys):  # stable sorts, least significant key first
        key_of = _KEY_FUNCTIONS[mode]
        present = [row for row in ordered if multi(row.get(name))]
        missing = [row for row in ordered if not multi(row.get(name))]
        present.sort(key=_row_key(name, key_of), reverse=descending)
        ordered = present + missing  # rows without the field go last either way
    return ordered


@register("sort")
class SortCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        limit = reader.options("limit").get("limit")
        tokens = reader.rest()
        if tokens and tokens[0].kind == WORD and tokens[0].value.isdigit():
            limit = tokens.pop(0).value
        self.limit = SORT_DEFAULT_LIMIT if limit is None else parse_int(self.name, "limit", limit)
        self.keys = parse_sort_keys(self.name, tokens)

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        ordered = sort_rows(rows, self.keys)
        return ordered[: self.limit] if self.limit else ordered


class _Window(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        count = reader.options("limit").get("limit")
        words = reader.words()
        if len(words) > 1 or (words and count is not None):
            raise self.error(f"Invalid argument: '{words[-1]}'")
        self.count = parse_int(self.name, "limit", words[0] if words else count or "10")


@register("head")
class HeadCommand(_Window):
    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        return rows[: self.count]


@register("tail")
class TailCommand(_Window):
    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        return list(reversed(rows[-self.count :])) if self.count else []  # splunkd returns them last first


@register("dedup")
class DedupCommand(Command):
    kind = "events"

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("keepempty", "consecutive", "keepevents")
        self.keepempty = parse_bool(self.name, "keepempty", options.get("keepempty", "false"))
        self.consecutive = parse_bool(self.name, "consecutive", options.get("consecutive", "false"))
        tokens = reader.rest()
        self.sortby: list[tuple[str, bool, str]] = []
        for index, token in enumerate(tokens):
            if token.kind == WORD and token.value.lower() == "sortby":
                self.sortby = parse_sort_keys(self.name, tokens[index + 1 :])
                tokens = tokens[:index]
                break
        self.count = 1
        if tokens and tokens[0].kind == WORD and tokens[0].value.isdigit():
            self.count = parse_int(self.name, "count", tokens.pop(0).value, minimum=1)
        self.fields = [t.value for t in tokens if not (t.kind == OP and t.value == ",")]
        if not self.fields:
            raise self.error("Missing the fields to dedup on")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        seen: dict[tuple[str, ...], int] = {}
        previous: tuple[str, ...] | None = None
        kept: list[Row] = []
        for row in rows:
            values = [row.get(name) for name in self.fields]
            if any(value is None for value in values):
                if self.keepempty:
                    kept.append(row)
                continue
            key = tuple(to_text(value) for value in values)
            if self.consecutive:
                if key != previous:
                    kept.append(row)
                previous = key
                continue
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= self.count:
                kept.append(row)
        return sort_rows(kept, self.sortby) if self.sortby else kept
