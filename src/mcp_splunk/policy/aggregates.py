"""Field names made by the statistics commands: ``stats``-like outputs and ``by`` fields, and whether a split-by
field's values become column names (``chart … over … by``, ``timechart … by``)."""

from __future__ import annotations

from collections.abc import Sequence

from mcp_splunk.policy.fields import OPEN, Fields, field_name, is_option, name_tokens
from mcp_splunk.policy.walker import named_arguments
from mcp_splunk.spl import OP, SUBSEARCH, WORD, Token


def aggregates(tokens: Sequence[Token]) -> tuple[list[str], list[str], bool]:
    """(output names, by-fields, whether a wildcard lets the data name outputs) of a stats-like argument list."""
    outputs: list[str] = []
    by: list[str] = []
    wildcard = False
    index = 0
    in_by = False
    while index < len(tokens):
        token = tokens[index]
        if token.kind == SUBSEARCH:
            return outputs, by, True
        if token.kind == OP:
            index += 1
            continue
        if is_option(tokens, index):
            index += 3
            continue
        lowered = token.value.lower()
        if token.kind == WORD and lowered in ("by", "over"):
            in_by = True
            index += 1
            continue
        if in_by:
            by.append(field_name(token))
            wildcard = wildcard or "*" in token.value
            index += 1
            continue
        start = index
        if index + 1 < len(tokens) and tokens[index + 1].kind == OP and tokens[index + 1].value == "(":
            depth = 0
            while index < len(tokens):
                if tokens[index].kind == OP and tokens[index].value == "(":
                    depth += 1
                elif tokens[index].kind == OP and tokens[index].value == ")":
                    depth -= 1
                    if depth == 0:
                        break
                index += 1
        written = " ".join(t.value for t in tokens[start : index + 1])
        default = written.replace(" ( ", "(").replace(" )", ")").replace("( ", "(")
        index += 1
        if index + 1 < len(tokens) and tokens[index].kind == WORD and tokens[index].value.lower() == "as":
            outputs.append(field_name(tokens[index + 1]))
            wildcard = wildcard or "*" in tokens[index + 1].value
            index += 2
        else:
            outputs.append(default)
            wildcard = wildcard or "*" in written
    return outputs, by, wildcard


def stats(fields: Fields, tokens: Sequence[Token]) -> Fields:
    if any(
        value is not None and value.value.lower() in ("t", "true", "1") for value in named_arguments(tokens, "prestats")
    ):
        return OPEN
    outputs, by, wildcard = aggregates(tokens)
    return Fields(frozenset(outputs + by), wildcard)


def stats_keeping(fields: Fields, tokens: Sequence[Token]) -> Fields:
    outputs, _, wildcard = aggregates(tokens)
    grown = fields.add(outputs)
    return OPEN if wildcard else grown


def chart(fields: Fields, tokens: Sequence[Token]) -> Fields:
    outputs, by, wildcard = aggregates(tokens)
    split = any(t.kind == WORD and t.value.lower() == "over" for t in tokens) and any(
        t.kind == WORD and t.value.lower() == "by" for t in tokens
    )
    if split or len(by) > 1:
        return OPEN  # a split-by field's values become column names
    return Fields(frozenset(outputs + by), wildcard)


def timechart(fields: Fields, tokens: Sequence[Token]) -> Fields:
    outputs, by, wildcard = aggregates(tokens)
    if by:
        return OPEN  # the by-field's values become column names
    return Fields(frozenset([*outputs, "_time", "_span"]), wildcard)


def top(fields: Fields, tokens: Sequence[Token]) -> Fields:
    names = [field_name(token) for token in name_tokens(tokens) if token.value.lower() != "by"]
    count = [field_name(v) for v in named_arguments(tokens, "countfield") if v is not None] or ["count"]
    percent = [field_name(v) for v in named_arguments(tokens, "percentfield") if v is not None] or ["percent"]
    return Fields(frozenset(names + count + percent), any("*" in name for name in names))
