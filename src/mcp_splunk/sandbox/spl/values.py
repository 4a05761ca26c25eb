"""Value semantics shared by every command: numbers, strings, multivalues, wildcards and ordering."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from mcp_splunk.sandbox.spl.errors import command_error

Row = dict[str, Any]  # field name -> str | int | float | list (multivalue) | None

_NUMBER_RE: Final = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")
_INT_RE: Final = re.compile(r"\s*[+-]?\d+\s*")
_NAMED_GROUP_RE: Final = re.compile(r"\(\?<(?![=!])")


def to_number(value: Any) -> int | float | None:
    """The number a field value denotes (Splunk treats numeric-looking strings as numbers), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if _INT_RE.fullmatch(value):
            # Splunk's integers are 64-bit: longer ones are doubles (and Python refuses to parse huge ints).
            return int(value) if len(value.lstrip("+-")) <= 18 else float(value)
        if _NUMBER_RE.fullmatch(value):
            return float(value)
        return None
    if isinstance(value, list) and len(value) == 1:
        return to_number(value[0])
    return None


def format_number(number: float) -> str:
    """Integral values without ".0", other floats at full precision and never in exponent form."""
    if isinstance(number, int):
        return str(number)
    if not math.isfinite(number):
        return str(number)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    text = repr(number)
    return format(Decimal(text), "f") if "e" in text else text


def to_text(value: Any) -> str:
    """How a single value prints in results (and behaves in string operations)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, list):
        return "\n".join(to_text(item) for item in value if item is not None)
    return str(value)


def multi(value: Any) -> list[Any]:
    """A field's values as a list: [] for null, the items of a multivalue, else a one-item list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return [value]


def normalize_mv(values: list[Any]) -> Any:
    """Store a list of values the way rows hold them: null, a single value, or a multivalue list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def sort_key(value: Any) -> tuple[int, float, str]:
    """Splunk's automatic ordering: numbers numerically, then strings lexically, then nulls."""
    if value is None or value == []:
        return (2, 0.0, "")
    if isinstance(value, list):
        value = value[0]
    number = to_number(value)
    if number is not None:
        return (0, float(number), "")
    return (1, 0.0, to_text(value))


def compare(left: Any, right: Any) -> int:
    """-1/0/1: numeric when both sides are numbers, else by string."""
    left_number, right_number = to_number(left), to_number(right)
    if left_number is not None and right_number is not None:
        return (left_number > right_number) - (left_number < right_number)
    left_text, right_text = to_text(left), to_text(right)
    return (left_text > right_text) - (left_text < right_text)


@lru_cache(maxsize=2048)
def wildcard_regex(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """A full-match regex for a Splunk ``*`` wildcard pattern."""
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def match_names(pattern: str, names: list[str]) -> list[str]:
    """Field names matching a (case-sensitive) wildcard pattern, in the order given."""
    if "*" not in pattern:
        return [pattern] if pattern in names else []
    regex = wildcard_regex(pattern, ignore_case=False)
    return [name for name in names if regex.fullmatch(name)]


def user_regex(pattern: str, command: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a regex written by the user (PCRE-style named groups accepted) or raise an SPL error."""
    try:
        return _compile(_NAMED_GROUP_RE.sub("(?P<", pattern), flags)
    except (re.error, OverflowError, RecursionError) as exc:
        raise command_error(command, f"Regex: {exc}") from None


@lru_cache(maxsize=512)
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)
