"""The search language of ``search`` (base search and filter), ``tstats where`` and ``inputlookup where``.

Operator precedence follows Splunk: NOT binds tightest, then OR, then AND (explicit or implicit), so
``a b OR c`` means ``a AND (b OR c)``. Boolean keywords must be upper-case; ``or`` is a plain term.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.sandbox.spl.extraction import INDEXED_FIELDS, SERVER_NAME
from mcp_splunk.sandbox.spl.values import Row, compare, multi, to_number, to_text, wildcard_regex
from mcp_splunk.spl import OP, STRING, SUBSEARCH, WORD, SplSyntaxError, Token, tokenize

_COMPARISON_OPS: Final = frozenset(("=", "==", "!=", "<", "<=", ">", ">="))
_TIME_FIELDS: Final = frozenset(("earliest", "latest"))
_EVENT_FIELDS: Final = INDEXED_FIELDS | {"_raw"}


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # matched case-insensitively anywhere in _raw, "*" as wildcard


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]  # empty: matches everything


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]  # empty: matches nothing, so "NOT ()" (an empty subsearch) matches everything


@dataclass(frozen=True, slots=True)
class Subsearch:
    index: int  # position among the command's subsearches; replaced by its results before running


Node = Term | Compare | Not | And | Or | Subsearch


@dataclass(slots=True)
class Query:
    tree: Node
    earliest: str | None = None  # inline earliest=/latest= time modifiers
    latest: str | None = None


def parse_query(text: str, command: str = "search") -> Query:
    """Parse search-language text; raises SplError (with the command's name) on malformed text."""
    try:
        tokens = tokenize(text)
    except SplSyntaxError as exc:
        raise SplError(f"Error in '{command}' command: {exc.message}") from None
    parser = _Parser(tokens, text, command)
    tree = parser.conjunction()
    if parser.pos < len(tokens):
        raise parser.error(f"Unexpected '{tokens[parser.pos].value}'")
    return Query(tree, parser.earliest, parser.latest)


class _Parser:
    def __init__(self, tokens: list[Token], text: str, command: str) -> None:
        self.tokens = tokens
        self.text = text
        self.command = command
        self.pos = 0
        self.earliest: str | None = None
        self.latest: str | None = None
        self.subsearches = 0

    def error(self, what: str) -> SplError:
        return SplError(f"Error in '{self.command}' command: {what}.")

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == WORD and token.value == word

    def conjunction(self) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and not (token.kind == OP and token.value == ")"):
            if self.is_keyword("AND"):
                self.pos += 1
                continue
            child = self.disjunction()
            if child != And(()):  # time bounds leave an always-true placeholder
                children.append(child)
        return children[0] if len(children) == 1 else And(tuple(children))

    def disjunction(self) -> Node:
        children = [self.negation()]
        while self.is_keyword("OR"):
            self.pos += 1
            children.append(self.negation())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def negation(self) -> Node:
        if self.is_keyword("NOT"):
            self.pos += 1
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.error("Expected a search term after a Boolean operator")
        self.pos += 1
        if token.kind == OP and token.value == "(":
            inner = self.conjunction()
            closing = self.peek()
            if closing is None:
                raise self.error("Mismatched parentheses")
            self.pos += 1
            return Or(()) if inner == And(()) else inner
        if token.kind == SUBSEARCH:
            self.subsearches += 1
            return Subsearch(self.subsearches - 1)
        if token.kind == OP:
            raise self.error(f"Unexpected '{token.value}'")
        following = self.peek()
        if following is not None and following.kind == OP and following.value in _COMPARISON_OPS:
            self.pos += 1
            return self.comparison(token.value, "=" if following.value == "==" else following.value)
        return Term(token.value)

    def comparison(self, name: str, op: str) -> Node:
        first = self.peek()
        if first is None or first.kind not in (WORD, STRING):
            raise self.error(f"Expected a value after '{name}{op}'")
        last = first
        self.pos += 1
        # An unquoted value runs on through adjacent tokens, as in uri=/cart?item=42.
        while first.kind == WORD and (token := self.peek()) is not None and token.offset == last.end:
            if token.kind == SUBSEARCH or (token.kind == OP and token.value in "()"):
                break
            last = token
            self.pos += 1
        value = first.value if last is first else self.text[first.offset : last.end]
        if name.lower() in _TIME_FIELDS and op == "=":
            setattr(self, name.lower(), value)
            return And(())
        return Compare(name, op, value)


# ---- evaluation -------------------------------------------------------------------------------------------

Getter = Callable[[Any, str], Any]
Predicate = Callable[[Any], bool]


def row_get(row: Row, name: str) -> Any:
    return row.get(name)


def event_get(event: Event, name: str) -> Any:
    if name == "_raw":
        return event.raw
    return SERVER_NAME if name == "splunk_server" else getattr(event, name)


def index_matches(pattern: str, index: str) -> bool:
    """``index=*`` and other patterns reach internal (``_``) indexes only when they start with ``_``."""
    if index.startswith("_") and not pattern.startswith("_"):
        return False
    return wildcard_regex(pattern).fullmatch(index) is not None


def _equals(field_name: str, pattern: str) -> Callable[[Any], bool]:
    if field_name == "index":
        return lambda value: index_matches(pattern, to_text(value))
    if "*" in pattern:
        regex = wildcard_regex(pattern)
        return lambda value: regex.fullmatch(to_text(value)) is not None
    lowered = pattern.lower()
    number = to_number(pattern)

    def equals(value: Any) -> bool:
        if to_text(value).lower() == lowered:
            return True
        return number is not None and to_number(value) == number

    return equals


def _compare_node(node: Compare, get: Getter) -> Predicate:
    name, op = node.field, node.op
    if op in ("=", "!=") and node.value == "*":
        exists = op == "="
        return lambda item: bool(multi(get(item, name))) == exists
    if op in ("=", "!="):
        test = _equals(name, node.value)
        if op == "=":
            return lambda item: any(test(value) for value in multi(get(item, name)))
        return lambda item: bool(values := multi(get(item, name))) and not any(test(v) for v in values)
    sign = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}[op]
    target = node.value
    return lambda item: any(compare(value, target) in sign for value in multi(get(item, name)))


def compile_node(node: Node, get: Getter = row_get) -> Predicate:
    """A predicate over rows (or, with ``event_get``, over events for nodes using only event fields)."""
    if isinstance(node, Term):
        regex = wildcard_regex(node.text.strip("*") or "*")
        return lambda item: regex.search(to_text(get(item, "_raw") or "")) is not None
    if isinstance(node, Compare):
        return _compare_node(node, get)
    if isinstance(node, Not):
        inner = compile_node(node.child, get)
        return lambda item: not inner(item)
    if isinstance(node, And | Or):
        parts = [compile_node(child, get) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        return (
            (lambda item: all(p(item) for p in parts))
            if isinstance(node, And)
            else (lambda item: any(p(item) for p in parts))
        )
    raise SplError("Error in 'search' command: A subsearch was not resolved.")


def fields_used(node: Node) -> set[str]:
    if isinstance(node, Term):
        return {"_raw"}
    if isinstance(node, Compare):
        return {node.field}
    if isinstance(node, Not):
        return fields_used(node.child)
    if isinstance(node, And | Or):
        return set().union(*(fields_used(child) for child in node.children))
    return {"\x00subsearch"}


def split_for_events(node: Node) -> tuple[list[Node], list[Node]]:
    """Top-level conjuncts answerable from an event without extraction, and the rest."""
    children = list(node.children) if isinstance(node, And) else [node]
    early = [child for child in children if fields_used(child) <= _EVENT_FIELDS]
    late = [child for child in children if not fields_used(child) <= _EVENT_FIELDS]
    return early, late


def mentions(node: Node, name: str) -> bool:
    return name in fields_used(node)


def index_verdict(node: Node, index: str) -> bool | None:
    """Whether ``node`` holds for every (True), no (False) or some (None) event of ``index``."""
    if isinstance(node, Compare):
        if node.field != "index" or node.op not in ("=", "!="):
            return None
        return index_matches(node.value, index) == (node.op == "=")
    if isinstance(node, Not):
        inner = index_verdict(node.child, index)
        return None if inner is None else not inner
    if isinstance(node, And | Or):
        verdicts = [index_verdict(child, index) for child in node.children]
        decisive = isinstance(node, Or)  # True decides an OR, False decides an AND
        if decisive in verdicts:
            return decisive
        return None if None in verdicts else not decisive
    return None


def candidate_indexes(node: Node, searchable: Sequence[str], default: Sequence[str]) -> list[str]:
    """Indexes the search may read: only ever from ``searchable``."""
    if not mentions(node, "index"):
        return [name for name in default if name in searchable]
    return [
        name
        for name in searchable
        if index_verdict(node, name) is not False and (not name.startswith("_") or _names_index(node, name))
    ]


def _names_index(node: Node, index: str) -> bool:
    """An internal index is searched only when some positive ``index=`` term matches it."""
    if isinstance(node, Compare):
        return node.field == "index" and node.op == "=" and index_matches(node.value, index)
    if isinstance(node, And | Or):
        return any(_names_index(child, index) for child in node.children)
    return False
