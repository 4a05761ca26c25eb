"""Commands that compute fields per row: ``eval``, ``rex``, ``spath``, ``lookup``."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from mcp_splunk.sandbox.spl.commands.base import ArgReader, Command, CommandInput, RunEnv, parse_int, register
from mcp_splunk.sandbox.spl.expr import parse_assignments
from mcp_splunk.sandbox.spl.extraction import json_fields, json_text, parse_json
from mcp_splunk.sandbox.spl.values import Row, multi, normalize_mv, to_text, user_regex
from mcp_splunk.spl import OP, STRING, WORD, Token

_SED_RE: Final = re.compile(r"([sy])/((?:[^/\\]|\\.)*)/((?:[^/\\]|\\.)*)/(\w*)", re.DOTALL)
_PATH_STEP_RE: Final = re.compile(r"([^{}]*)((?:\{\d*\})*)")


@register("eval")
class EvalCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        if not spec.args:
            raise self.error("Missing an expression")
        self.assignments = parse_assignments(spec.args, "eval")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        eval_env = env.eval_env
        assignments = [(name, expr.evaluate) for name, expr in self.assignments]
        for row in rows:
            for name, evaluate in assignments:  # later assignments see earlier ones
                value = evaluate(row, eval_env)
                if value is None:
                    row.pop(name, None)
                else:
                    row[name] = value
        return rows


@register("rex")
class RexCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("field", "max_match", "mode", "offset_field")
        self.field = options.get("field", "_raw")
        self.max_match = parse_int(self.name, "max_match", options.get("max_match", "1"))
        patterns = reader.rest()
        if len(patterns) != 1 or patterns[0].kind != STRING:
            raise self.error("The regex must be one double-quoted string")
        pattern = patterns[0].value
        self.sed = options.get("mode", "").lower() == "sed"
        if self.sed:
            sed = _SED_RE.fullmatch(pattern)
            if sed is None:
                raise self.error(f"Invalid sed expression '{pattern}'")
            self.sed_kind, self.sed_to, flags = sed.group(1), sed.group(3), sed.group(4)
            self.regex = user_regex(sed.group(2), self.name, re.IGNORECASE if "i" in flags else 0)
            self.sed_count = 0 if "g" in flags else int(next(iter(re.findall(r"\d+", flags)), "1"))
            if self.sed_kind == "y" and len(sed.group(2)) != len(self.sed_to):
                raise self.error("The y/// strings must have the same length")
        else:
            self.regex = user_regex(pattern, self.name)
            if not self.regex.groupindex:
                raise self.error(
                    f"The regex '{pattern}' does not extract anything. "
                    "It should specify at least one named group. Format: (?<name>...)"
                )

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        for row in rows:
            value = row.get(self.field)
            if value is None:
                continue
            text = to_text(value)
            if self.sed:
                row[self.field] = self._sed(text)
            elif self.max_match == 1:
                match = self.regex.search(text)
                if match is not None:
                    row.update((k, v) for k, v in match.groupdict().items() if v is not None)
            else:
                self._extract_all(row, text)
        return rows

    def _sed(self, text: str) -> str:
        if self.sed_kind == "y":
            return text.translate(str.maketrans(self.regex.pattern, self.sed_to))
        try:
            return self.regex.sub(self.sed_to, text, count=self.sed_count)
        except (re.error, IndexError) as exc:
            raise self.error(f"Invalid sed replacement: {exc}") from None

    def _extract_all(self, row: Row, text: str) -> None:
        found: dict[str, list[str]] = {}
        for index, match in enumerate(self.regex.finditer(text)):
            if self.max_match and index >= self.max_match:
                break
            for name, value in match.groupdict().items():
                if value is not None:
                    found.setdefault(name, []).append(value)
        row.update((name, normalize_mv(values)) for name, values in found.items())


def _walk(document: Any, path: str) -> list[Any]:
    """Values at a spath path: ``a.b`` steps, ``{}`` for every array item, ``{N}`` for item N (from 0)."""
    current = [document]
    for step in path.split("."):
        match = _PATH_STEP_RE.fullmatch(step)
        if match is None:
            return []
        name, indexes = match.groups()
        if name:
            current = [item[name] for item in current if isinstance(item, dict) and name in item]
        for index in re.findall(r"\{(\d*)\}", indexes):
            arrays = [item for item in current if isinstance(item, list)]
            if index == "":
                current = [element for array in arrays for element in array]
            else:
                current = [array[int(index)] for array in arrays if int(index) < len(array)]
    return current


@register("spath")
class SpathCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("input", "output", "path")
        words = reader.words()
        if len(words) > 1 or (words and "path" in options):
            raise self.error(f"Invalid argument: '{words[-1]}'")
        self.input = options.get("input", "_raw")
        self.path = options.get("path") or (words[0] if words else None)
        self.output = options.get("output", self.path)
        if self.output is not None and self.path is None:
            raise self.error("The output option needs a path")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        for row in rows:
            value = row.get(self.input)
            if value is None:
                continue
            if self.path is None:
                row.update((name, normalize_mv(values)) for name, values in json_fields(to_text(value)).items())
                continue
            found = _walk(parse_json(to_text(value)), self.path)
            texts = [
                json.dumps(v, separators=(",", ":")) if isinstance(v, dict | list) else json_text(v) for v in found
            ]
            if texts and self.output is not None:
                row[self.output] = normalize_mv(texts)
        return rows


def _pairs(command: Command, tokens: list[Token]) -> list[tuple[str, str]]:
    """``a [AS b], c [AS d]`` as (a, b) pairs."""
    words = [t for t in tokens if not (t.kind == OP and t.value == ",")]
    if any(t.kind not in (WORD, STRING) for t in words):
        raise command.error("Invalid field list")
    pairs: list[tuple[str, str]] = []
    index = 0
    while index < len(words):
        name = words[index].value
        if index + 2 < len(words) and words[index + 1].value.lower() == "as":
            pairs.append((name, words[index + 2].value))
            index += 3
        else:
            pairs.append((name, name))
            index += 1
    return pairs


@register("lookup")
class LookupCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        tokens = list(spec.tokens)
        if not tokens or tokens[0].kind not in (WORD, STRING):
            raise self.error("Missing the lookup name")
        self.table = tokens.pop(0).value
        self.output_new = False
        outputs: list[Token] = []
        for index, token in enumerate(tokens):
            if token.kind == WORD and token.value.upper() in ("OUTPUT", "OUTPUTNEW"):
                self.output_new = token.value.upper() == "OUTPUTNEW"
                tokens, outputs = tokens[:index], tokens[index + 1 :]
                break
        self.matches = _pairs(self, tokens)  # (lookup field, row field)
        self.outputs = _pairs(self, outputs)  # (lookup field, row field); empty: every other column
        if not self.matches:
            raise self.error("Missing the field to match on")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        table = env.ctx.lookup_rows(self.table)
        if table is None:
            fields = ", ".join(name for name, _ in self.matches)
            raise self.error(f"Could not construct lookup '{self.table}, {fields}'. See search.log for more details")
        keys = [name for name, _ in self.matches]
        outputs = self.outputs or [(name, name) for name in (table[0] if table else {}) if name not in keys]
        index: dict[tuple[str, ...], list[dict[str, str]]] = {}
        for entry in table:
            index.setdefault(tuple(entry.get(name, "") for name in keys), []).append(entry)
        for row in rows:
            values = [row.get(field) for _, field in self.matches]
            if any(value is None for value in values):
                continue
            hits = index.get(tuple(to_text(value) for value in values), [])
            for source, target in outputs:
                found = normalize_mv([hit[source] for hit in hits if hit.get(source)])
                if found is not None and not (self.output_new and multi(row.get(target))):
                    row[target] = found
        return rows
