"""The Mongo-style query language of the KV Store data endpoint: ``query``, ``sort``, ``fields``, ``skip``, ``limit``.

Comparisons follow MongoDB's type bracketing: a number never equals or orders against a string. Writes convert
the values of fields a collection declares (``field.<name> = number|bool|string|time``) to that type.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Document = dict[str, Any]


class QueryError(ValueError):
    """A query, sort or fields expression the KV Store rejects (HTTP 400)."""


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QueryError(f"Invalid {what}: {exc.msg} at position {exc.pos}") from None
    except RecursionError:
        raise QueryError(f"Invalid {what}: nested too deeply") from None
    if not isinstance(value, dict):
        raise QueryError(f"Invalid {what}: expected a JSON object")
    return value


def _lookup(doc: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[bool, Any, Any], bool]:
    def check(present: bool, actual: Any, expected: Any) -> bool:
        return present and _kind(actual) == _kind(expected) and op(actual, expected)

    return check


def _equals(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list) and not isinstance(expected, list):
        return any(_equals(item, expected) for item in actual)
    return _kind(actual) == _kind(expected) and bool(actual == expected)


def _regex(present: bool, actual: Any, pattern: Any) -> bool:
    if not isinstance(pattern, str):
        raise QueryError("$regex requires a string")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise QueryError(f"Invalid $regex: {exc}") from None
    return present and isinstance(actual, str) and compiled.search(actual) is not None


def _in(present: bool, actual: Any, options: Any) -> bool:
    if not isinstance(options, list):
        raise QueryError("$in and $nin require an array")
    return present and any(_equals(actual, option) for option in options)


_OPERATORS: dict[str, Callable[[bool, Any, Any], bool]] = {
    "$eq": lambda present, actual, expected: present and _equals(actual, expected),
    "$ne": lambda present, actual, expected: not (present and _equals(actual, expected)),
    "$gt": _compare(lambda a, b: a > b),
    "$gte": _compare(lambda a, b: a >= b),
    "$lt": _compare(lambda a, b: a < b),
    "$lte": _compare(lambda a, b: a <= b),
    "$in": _in,
    "$nin": lambda present, actual, options: not _in(present, actual, options),
    "$regex": _regex,
    "$exists": lambda present, _actual, wanted: present == bool(wanted),
}


def _field_matches(doc: Mapping[str, Any], path: str, condition: Any) -> bool:
    present, actual = _lookup(doc, path)
    if isinstance(condition, Mapping) and condition and all(str(k).startswith("$") for k in condition):
        for op, operand in condition.items():
            if op == "$not":
                if _field_matches(doc, path, operand):
                    return False
                continue
            check = _OPERATORS.get(op)
            if check is None:
                raise QueryError(f"Unknown operator {op}")
            if not check(present, actual, operand):
                return False
        return True
    return present and _equals(actual, condition)


def matches(doc: Mapping[str, Any], query: Mapping[str, Any]) -> bool:
    for key, condition in query.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(condition, list) or not all(isinstance(c, Mapping) for c in condition):
                raise QueryError(f"{key} requires an array of objects")
            results = (matches(doc, sub) for sub in condition)
            ok = all(results) if key == "$and" else any(results) if key == "$or" else not any(results)
            if not ok:
                return False
        elif key.startswith("$"):
            raise QueryError(f"Unknown top-level operator {key}")
        elif not _field_matches(doc, key, condition):
            return False
    return True


def parse_sort(text: str) -> list[tuple[str, int]]:
    keys: list[tuple[str, int]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, direction = part.partition(":")
        if direction not in ("", "1", "-1"):
            raise QueryError(f"Invalid sort direction in {part!r}: use 1 or -1")
        keys.append((name, -1 if direction == "-1" else 1))
    return keys


def sort_documents(docs: list[Document], keys: Sequence[tuple[str, int]]) -> list[Document]:
    # Stable sorts applied from the last key to the first give a multi-key order with per-key direction.
    ordered = list(docs)
    for name, direction in reversed(keys):
        ordered.sort(key=lambda d, n=name: _sort_value(d, n), reverse=direction == -1)  # type: ignore[misc]
    return ordered


def _sort_value(doc: Mapping[str, Any], name: str) -> tuple[int, Any]:
    present, value = _lookup(doc, name)
    if not present or value is None:
        return (0, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))


def project(doc: Document, fields: str) -> Document:
    include: list[str] = []
    exclude: set[str] = set()
    for part in filter(None, (p.strip() for p in fields.split(","))):
        name, _, flag = part.partition(":")
        name = "_key" if name == "_id" else name  # the KV Store keeps a record's _key as MongoDB's _id
        if flag == "0":
            exclude.add(name)
        elif flag in ("", "1"):
            include.append(name)
        else:
            raise QueryError(f"Invalid fields entry {part!r}: use name, name:1 or name:0")
    if include:
        wanted = [*include, *(("_key",) if "_key" not in exclude else ())]
        return {k: doc[k] for k in wanted if k in doc}
    return {k: v for k, v in doc.items() if k not in exclude}


def select(docs: Iterable[Document], query: Mapping[str, Any]) -> list[Document]:
    """The documents matching ``query``; QueryError for a query too deeply nested to evaluate."""
    try:
        return [d for d in docs if matches(d, query)]
    except RecursionError:
        raise QueryError("Invalid query: nested too deeply") from None


def find(
    docs: Iterable[Document],
    query: Mapping[str, Any],
    *,
    sort: str = "",
    skip: int = 0,
    limit: int = 0,
    fields: str = "",
) -> list[Document]:
    """The documents matching ``query``, sorted, paged (``limit`` 0: all) and projected."""
    found = sort_documents(select(docs, query), parse_sort(sort))
    found = found[skip:] if limit == 0 else found[skip : skip + limit]
    return [project(d, fields) for d in found] if fields else found


def convert(value: Any, kind: str) -> Any:
    """``value`` as a field declared ``kind`` holds it; ValueError when it does not convert."""
    if kind in ("number", "time"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(kind)
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                value = float(value)
        if not math.isfinite(value):
            raise ValueError(kind)
        return value
    if kind == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in ("true", "false", "1", "0"):
            return value if isinstance(value, bool) else text in ("true", "1")
        raise ValueError(kind)
    if kind == "string":
        if isinstance(value, dict | list):
            raise ValueError(kind)
        return json.dumps(value) if isinstance(value, bool) else str(value)
    return value  # array, cidr and unknown types are stored as given
