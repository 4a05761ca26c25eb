"""Field-name sets as the policy's field flow tracks them, and how command arguments name fields."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from mcp_splunk.spl import OP, STRING, WORD, Token

RAW_FIELDS: Final = frozenset({"search", "query"})


@dataclass(frozen=True, slots=True)
class Fields:
    names: frozenset[str]  # names the query's text fixes
    open: bool  # the data may add names of its choosing
    quoted: frozenset[str] = frozenset()  # of ``names``, those whose values ``return``/``format`` quoted

    def add(self, names: Iterable[str]) -> Fields:
        added = frozenset(names)
        return replace(self, names=self.names | added, quoted=self.quoted - added)

    def union(self, other: Fields) -> Fields:
        return Fields(self.names | other.names, self.open or other.open, self.quoted & other.quoted)

    def raw(self) -> frozenset[str]:
        """``search``/``query`` fields whose values would be pasted in as SPL."""
        return frozenset(name for name in self.names - self.quoted if name.lower() in RAW_FIELDS)


OPEN: Final = Fields(frozenset(), open=True)
EMPTY: Final = Fields(frozenset(), open=False)


def as_targets(tokens: Sequence[Token]) -> list[str]:
    return [
        field_name(following)
        for token, following in itertools.pairwise(tokens)
        if token.kind == WORD and token.value.lower() == "as" and following.kind in (WORD, STRING)
    ]


def field_name(token: Token) -> str:
    """A field name as written: ``'a b'`` and ``"a b"`` both name ``a b``."""
    value = token.value
    if token.kind == WORD and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def is_option(tokens: Sequence[Token], index: int) -> bool:
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is not None and following.kind == OP and following.value == "="


def name_tokens(tokens: Sequence[Token]) -> list[Token]:
    """Name tokens outside ``option=value`` pairs and commas."""
    chosen: list[Token] = []
    skip = 0
    for index, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        if is_option(tokens, index):
            skip = 2
            continue
        if token.kind in (WORD, STRING):
            chosen.append(token)
    return chosen
