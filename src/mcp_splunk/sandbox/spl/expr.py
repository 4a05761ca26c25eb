"""The eval/where expression language: a small precedence-climbing parser that builds closures.

Query text is never handed to Python's own evaluator; each node becomes a ``(row, env) -> value`` function.
Precedence, loosest first: OR, XOR, AND, NOT, comparisons (= == != < > <= >= LIKE), + - ., * / %, unary minus.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.sandbox.spl.evalfuncs import FUNCTIONS, EvalEnv
from mcp_splunk.sandbox.spl.values import Row, compare, to_number, to_text, user_regex
from mcp_splunk.spl.lexer import unquote

Evaluator = Callable[[Row, EvalEnv], Any]

_TOKEN_RE: Final = re.compile(
    r"""\s*(?:
        (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<str>"(?:[^"\\]|\\.)*")
      | (?P<field>'(?:[^'\\]|\\.)*')
      | (?P<name>[A-Za-z_][\w]*(?:\{\})?)
      | (?P<op>==|!=|<=|>=|[-+*/%.=<>(),!])
    )""",
    re.VERBOSE,
)
_FIELD_ESCAPE_RE: Final = re.compile(r"\\(['\\])")
_KEYWORDS: Final = frozenset(("AND", "OR", "XOR", "NOT", "LIKE"))
_COMPARISONS: Final[dict[str, Callable[[int], bool]]] = {
    "=": lambda c: c == 0,
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}
_NO_ENV: Final = EvalEnv(0.0)  # for evaluating constants and env-free helpers
_ARITHMETIC: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


@dataclass(frozen=True, slots=True)
class Expr:
    evaluate: Evaluator
    boolean: bool  # statically Boolean: comparisons, AND/OR/NOT, like(), isnull() ...
    constant: bool = False  # no field reference: a literal or built only from literals


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # num, str, field, name, op, kw, end
    text: str
    pos: int


def _lex(text: str, command: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.lastgroup is None:
            raise SplError(
                f"Error in '{command}' command: The expression is malformed. An unexpected character "
                f"is reached at '{text[pos:].strip()[:40]}'."
            )
        kind, value, start = match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup)
        # like(...) is the function; LIKE without a parenthesis is the operator
        if (
            kind == "name"
            and value.upper() in _KEYWORDS
            and not (value.upper() == "LIKE" and _opens_call(text, match.end()))
        ):
            kind, value = "kw", value.upper()
        tokens.append(_Tok(kind, value, start))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


def _opens_call(text: str, pos: int) -> bool:
    return text[pos:].lstrip().startswith("(")


def _truth(left: Any, right: Any, op: str) -> bool | None:
    if op == "AND":
        return False if left is False or right is False else None if left is None or right is None else True
    if op == "OR":
        return True if left is True or right is True else None if left is None or right is None else False
    return None if left is None or right is None else (left is True) != (right is True)


def _plus(left: Any, right: Any) -> Any:
    a, b = to_number(left), to_number(right)
    if a is not None and b is not None:
        return a + b
    return left + right if isinstance(left, str) and isinstance(right, str) else None


def _arith(op: str) -> Callable[[Any, Any], Any]:
    if op == "+":
        return _plus
    if op == ".":
        return lambda a, b: to_text(a) + to_text(b)
    fn = _ARITHMETIC[op]

    def apply(left: Any, right: Any) -> Any:
        a, b = to_number(left), to_number(right)
        if a is None or b is None or (op in "/%" and b == 0):
            return None
        return fn(a, b)

    return apply


class _Parser:
    def __init__(self, text: str, command: str) -> None:
        self.command = command
        self.tokens = _lex(text, command)
        self.index = 0

    def error(self, what: str) -> SplError:
        return SplError(f"Error in '{self.command}' command: {what}")

    @property
    def peek(self) -> _Tok:
        return self.tokens[self.index]

    def take(self) -> _Tok:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        if self.peek.kind == kind and self.peek.text == text:
            self.index += 1
            return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            found = self.peek.text or "the end of the expression"
            raise self.error(f"The expression is malformed. Expected {text} but found {found}.")

    def expression(self) -> Expr:
        return self.logical(0)

    _LOGICAL: Final = ("OR", "XOR", "AND")

    def logical(self, level: int) -> Expr:
        if level == len(self._LOGICAL):
            return self.negation()
        op = self._LOGICAL[level]
        left = self.logical(level + 1)
        while self.accept("kw", op):
            left = self.binary(left, self.logical(level + 1), partial(_truth, op=op), boolean=True)
        return left

    def negation(self) -> Expr:
        if self.accept("kw", "NOT") or self.accept("op", "!"):
            inner = self.negation()
            inner_eval = inner.evaluate

            def negate(row: Row, env: EvalEnv) -> Any:
                value = inner_eval(row, env)
                return None if value is None else value is not True

            return Expr(negate, True, inner.constant)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        token = self.peek
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            test = _COMPARISONS[token.text]
            return self.binary(
                left,
                self.additive(),
                lambda a, b: None if a is None or b is None else test(compare(a, b)),
                True,
            )
        if token.kind == "kw" and token.text == "LIKE":
            self.take()
            like = FUNCTIONS["like"].impl
            return self.binary(left, self.additive(), lambda a, b: like([a, b], _NO_ENV), True)
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.peek.kind == "op" and self.peek.text in "+-.":
            fn = _arith(self.take().text)
            left = self.binary(left, self.multiplicative(), partial(_null_or, fn), False)
        return left

    def multiplicative(self) -> Expr:
        left = self.unary()
        while self.peek.kind == "op" and self.peek.text in "*/%":
            fn = _arith(self.take().text)
            left = self.binary(left, self.unary(), fn, False)
        return left

    def unary(self) -> Expr:
        if self.peek.kind == "op" and self.peek.text in "-+":
            sign = -1 if self.take().text == "-" else 1
            inner = self.unary()
            multiply = _arith("*")
            return Expr(lambda r, e: multiply(inner.evaluate(r, e), sign), False, inner.constant)
        return self.primary()

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "num":
            number = to_number(token.text)
            return Expr(lambda _r, _e: number, False, True)
        if token.kind == "str":
            text = unquote(token.text)
            return Expr(lambda _r, _e: text, False, True)
        if token.kind in ("field", "name"):
            name = _field_name(token)
            if token.kind == "name" and self.accept("op", "("):
                return self.call(name)
            return Expr(lambda row, _e: row.get(name), False)
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            self.expect("op", ")")
            return inner
        found = token.text or "the end of the expression"
        raise self.error(f"The expression is malformed. Expected an operand but found {found}.")

    def call(self, name: str) -> Expr:
        function = FUNCTIONS.get(name.lower())
        if function is None:
            raise self.error(f"The '{name}' function is unsupported or undefined.")
        args: list[Expr] = []
        if not self.accept("op", ")"):
            args.append(self.expression())
            while self.accept("op", ","):
                args.append(self.expression())
            self.expect("op", ")")
        if len(args) < function.min_args or (function.max_args is not None and len(args) > function.max_args):
            raise self.error(f"The arguments to the '{name}' function are invalid.")
        if function.regex_arg is not None and args[function.regex_arg].constant:
            user_regex(to_text(args[function.regex_arg].evaluate({}, _NO_ENV)), self.command)
        evaluators = [arg.evaluate for arg in args]
        impl = function.impl
        return Expr(lambda row, env: impl([fn(row, env) for fn in evaluators], env), function.boolean)

    @staticmethod
    def binary(left: Expr, right: Expr, fn: Callable[[Any, Any], Any], boolean: bool) -> Expr:
        left_eval, right_eval = left.evaluate, right.evaluate
        return Expr(lambda r, e: fn(left_eval(r, e), right_eval(r, e)), boolean, left.constant and right.constant)

    def finish(self) -> None:
        if self.peek.kind != "end":
            raise self.error(f"The expression is malformed. An unexpected token '{self.peek.text}' was found.")


def _field_name(token: _Tok) -> str:
    if token.kind == "str":
        return unquote(token.text)
    return _FIELD_ESCAPE_RE.sub(r"\1", token.text[1:-1]) if token.kind == "field" else token.text


def _null_or(fn: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    return None if left is None or right is None else fn(left, right)


def parse_expression(text: str, command: str) -> Expr:
    """Parse a whole ``where``-style expression."""
    parser = _Parser(text, command)
    if parser.peek.kind == "end":
        raise parser.error("The expression is malformed. An expression is expected.")
    expr = parser.expression()
    parser.finish()
    return expr


def parse_assignments(text: str, command: str = "eval") -> list[tuple[str, Expr]]:
    """Parse ``name=expr[, name=expr ...]`` as eval takes it."""
    parser = _Parser(text, command)
    assignments: list[tuple[str, Expr]] = []
    while True:
        token = parser.take()
        if token.kind not in ("name", "field", "str", "kw"):
            raise parser.error("The expression is malformed. Expected a field name to assign to.")
        name = _field_name(token)
        parser.expect("op", "=")
        expr = parser.expression()
        if expr.boolean:
            raise parser.error(
                "Fields cannot be assigned a boolean result. Instead, try if([bool expr], [expr], [expr])."
            )
        assignments.append((name, expr))
        if not parser.accept("op", ","):
            break
    parser.finish()
    return assignments
