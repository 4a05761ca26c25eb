"""The eval function table: name -> implementation over already-evaluated arguments."""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.sandbox.spl.timemod import resolve_time, strftime, strptime
from mcp_splunk.sandbox.spl.values import multi, normalize_mv, sort_key, to_number, to_text, user_regex


@dataclass(frozen=True, slots=True)
class EvalEnv:
    now: float  # what now() returns: the search's "now"


Impl = Callable[[list[Any], EvalEnv], Any]


@dataclass(frozen=True, slots=True)
class Function:
    impl: Impl
    min_args: int
    max_args: int | None  # None: any number
    boolean: bool = False  # returns a Boolean (usable by where/if/case, not assignable by eval)
    regex_arg: int | None = None  # index of an argument that is a regex, checked at parse time when literal


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return to_text(value[0] if isinstance(value, list) and value else value)


def _num(value: Any) -> int | float | None:
    return to_number(value)


def _unary_text(op: Callable[[str], Any]) -> Impl:
    def apply(args: list[Any], _env: EvalEnv) -> Any:
        text = _text(args[0])
        return None if text is None else op(text)

    return apply


def _unary_num(op: Callable[[float], Any]) -> Impl:
    def apply(args: list[Any], _env: EvalEnv) -> Any:
        number = _num(args[0])
        return None if number is None else op(number)

    return apply


def _if(args: list[Any], _env: EvalEnv) -> Any:
    return args[1] if args[0] is True else args[2]


def _case(args: list[Any], _env: EvalEnv) -> Any:
    for index in range(0, len(args) - 1, 2):
        if args[index] is True:
            return args[index + 1]
    return None


def _coalesce(args: list[Any], _env: EvalEnv) -> Any:
    return next((value for value in args if value is not None), None)


def _round(args: list[Any], _env: EvalEnv) -> Any:
    number = _num(args[0])
    digits = _num(args[1]) if len(args) > 1 else 0
    if number is None or digits is None:
        return None
    try:
        rounded = Decimal(repr(number)).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return int(rounded) if int(digits) <= 0 else float(rounded)


def _duration(seconds: float) -> str:
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}+{text}" if days else text


def _tostring(args: list[Any], _env: EvalEnv) -> Any:
    value = args[0]
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    fmt = _text(args[1]) if len(args) > 1 else None
    number = _num(value)
    if fmt is None or number is None:
        return _text(value)
    if fmt == "commas":  # Splunk rounds non-integers to two decimals here
        return f"{int(number):,}" if float(number).is_integer() else f"{number:,.2f}"
    if fmt == "hex":
        return hex(int(number))
    if fmt == "duration":
        return _duration(number)
    return _text(value)


def _tonumber(args: list[Any], _env: EvalEnv) -> Any:
    text = _text(args[0])
    base = int(_num(args[1]) or 10) if len(args) > 1 else 10
    if text is None:
        return None
    if base == 10:
        return _num(text)
    try:
        return int(text.strip(), base)
    except ValueError:
        return None


def _like(args: list[Any], _env: EvalEnv) -> Any:
    text, pattern = _text(args[0]), _text(args[1])
    if text is None or pattern is None:
        return None
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _match(args: list[Any], _env: EvalEnv) -> Any:
    text, pattern = _text(args[0]), _text(args[1])
    if text is None or pattern is None:
        return None
    return user_regex(pattern, "eval").search(text) is not None


def _replace(args: list[Any], _env: EvalEnv) -> Any:
    text, pattern, replacement = _text(args[0]), _text(args[1]), _text(args[2])
    if text is None or pattern is None or replacement is None:
        return None
    try:
        return user_regex(pattern, "eval").sub(replacement, text)
    except (re.error, IndexError) as exc:
        raise SplError(f"Error in 'eval' command: Regex: {exc}.") from None


def _substr(args: list[Any], _env: EvalEnv) -> Any:
    text, start = _text(args[0]), _num(args[1])
    length = _num(args[2]) if len(args) > 2 else None
    if text is None or start is None:
        return None
    begin = int(start) - 1 if start > 0 else max(len(text) + int(start), 0) if start < 0 else 0
    return text[begin:] if length is None else text[begin : begin + max(int(length), 0)]


def _trim(strip: Callable[[str, str | None], str]) -> Impl:
    def apply(args: list[Any], _env: EvalEnv) -> Any:
        text = _text(args[0])
        chars = _text(args[1]) if len(args) > 1 else None
        return None if text is None else strip(text, chars)

    return apply


def _split(args: list[Any], _env: EvalEnv) -> Any:
    text, delimiter = _text(args[0]), _text(args[1])
    if text is None or delimiter is None:
        return None
    return normalize_mv(list(text) if delimiter == "" else text.split(delimiter))


def _mvcount(args: list[Any], _env: EvalEnv) -> Any:
    values = multi(args[0])
    return len(values) or None


def _mvindex(args: list[Any], _env: EvalEnv) -> Any:
    values = multi(args[0])
    start = _num(args[1])
    stop = _num(args[2]) if len(args) > 2 else start
    if start is None or stop is None or not values:
        return None
    first, last = (int(i) + len(values) if i < 0 else int(i) for i in (start, stop))
    return normalize_mv(values[max(first, 0) : last + 1])


def _mvjoin(args: list[Any], _env: EvalEnv) -> Any:
    delimiter = _text(args[1])
    values = multi(args[0])
    return None if not values or delimiter is None else delimiter.join(to_text(v) for v in values)


def _mvappend(args: list[Any], _env: EvalEnv) -> Any:
    return normalize_mv([value for arg in args for value in multi(arg)])


def _strftime(args: list[Any], _env: EvalEnv) -> Any:
    epoch, fmt = _num(args[0]), _text(args[1])
    if epoch is None or fmt is None:
        return None
    try:
        return strftime(epoch, fmt)
    except (ValueError, OverflowError, OSError):
        return None


def _strptime(args: list[Any], _env: EvalEnv) -> Any:
    text, fmt = _text(args[0]), _text(args[1])
    return None if text is None or fmt is None else strptime(text, fmt)


def _relative_time(args: list[Any], _env: EvalEnv) -> Any:
    epoch, modifier = _num(args[0]), _text(args[1])
    if epoch is None or modifier is None:
        return None
    try:
        return resolve_time(modifier, epoch)
    except (SplError, ValueError, OverflowError):
        return None


def _cidrmatch(args: list[Any], _env: EvalEnv) -> Any:
    cidr, address = _text(args[0]), _text(args[1])
    if cidr is None or address is None:
        return None
    try:
        return ipaddress.ip_address(address.strip()) in ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False


def _extreme(pick: Callable[..., Any]) -> Impl:
    def apply(args: list[Any], _env: EvalEnv) -> Any:
        values = [value for arg in args for value in multi(arg)]
        return pick(values, key=sort_key) if values else None

    return apply


FUNCTIONS: Final[dict[str, Function]] = {
    "if": Function(_if, 3, 3),
    "case": Function(_case, 2, None),
    "coalesce": Function(_coalesce, 1, None),
    "null": Function(lambda _a, _e: None, 0, 0),
    "true": Function(lambda _a, _e: True, 0, 0, boolean=True),
    "false": Function(lambda _a, _e: False, 0, 0, boolean=True),
    "isnull": Function(lambda a, _e: a[0] is None, 1, 1, boolean=True),
    "isnotnull": Function(lambda a, _e: a[0] is not None, 1, 1, boolean=True),
    "isnum": Function(lambda a, _e: _num(a[0]) is not None, 1, 1, boolean=True),
    "isstr": Function(lambda a, _e: isinstance(a[0], str) and _num(a[0]) is None, 1, 1, boolean=True),
    "lower": Function(_unary_text(str.lower), 1, 1),
    "upper": Function(_unary_text(str.upper), 1, 1),
    "len": Function(_unary_text(len), 1, 1),
    "trim": Function(_trim(str.strip), 1, 2),
    "ltrim": Function(_trim(str.lstrip), 1, 2),
    "rtrim": Function(_trim(str.rstrip), 1, 2),
    "round": Function(_round, 1, 2),
    "abs": Function(_unary_num(abs), 1, 1),
    "floor": Function(_unary_num(math.floor), 1, 1),
    "ceil": Function(_unary_num(math.ceil), 1, 1),
    "ceiling": Function(_unary_num(math.ceil), 1, 1),
    "max": Function(_extreme(max), 1, None),
    "min": Function(_extreme(min), 1, None),
    "tostring": Function(_tostring, 1, 2),
    "tonumber": Function(_tonumber, 1, 2),
    "like": Function(_like, 2, 2, boolean=True),
    "match": Function(_match, 2, 2, boolean=True, regex_arg=1),
    "replace": Function(_replace, 3, 3, regex_arg=1),
    "substr": Function(_substr, 2, 3),
    "split": Function(_split, 2, 2),
    "mvcount": Function(_mvcount, 1, 1),
    "mvindex": Function(_mvindex, 2, 3),
    "mvjoin": Function(_mvjoin, 2, 2),
    "mvappend": Function(_mvappend, 1, None),
    "now": Function(lambda _a, env: env.now, 0, 0),
    "time": Function(lambda _a, _e: time.time(), 0, 0),
    "strftime": Function(_strftime, 2, 2),
    "strptime": Function(_strptime, 2, 2),
    "relative_time": Function(_relative_time, 2, 2),
    "cidrmatch": Function(_cidrmatch, 2, 2, boolean=True),
}
