"""Secret values: shown as ``[secure]`` everywhere, and known to the log redactor by value.

Every ``Secret`` registers its value with ``KNOWN_SECRETS`` so that the logging filter can scrub it from any
message, whichever field or exception text it travelled in (names alone are not enough: a password can leak
through an error body or an f-string).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

MASK = "[secure]"
_MIN_REDACTED_LENGTH = 4  # shorter values would turn ordinary words into [secure]
# Characters that end a token in log text (spaces, quotes, separators of headers, forms, JSON, URLs).
DELIMITERS = re.compile(r"[\s\"'&=:,;<>()\[\]{}|]")


@dataclass(frozen=True, slots=True)
class SecretIndex:
    """The registered secrets, arranged for a linear-time scan of a text."""

    tokens: frozenset[str]  # secrets without delimiter characters: matched as whole tokens, by set lookup
    others: tuple[str, ...]  # the rare secrets that contain delimiters: searched as substrings, longest first


class SecretRegistry:
    """A bounded, thread-safe set of secret values, most recent kept."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._max_size = max_size
        self._index = SecretIndex(frozenset(), ())
        self._indexed = True

    def add(self, value: str) -> None:
        if len(value) < _MIN_REDACTED_LENGTH:
            return
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            self._values[value] = None
            self._indexed = False
            while len(self._values) > self._max_size:
                self._values.popitem(last=False)

    def index(self) -> SecretIndex:
        """The current secrets as a ``SecretIndex``, rebuilt only after secrets were added."""
        with self._lock:
            if not self._indexed:
                plain = [v for v in self._values if not DELIMITERS.search(v)]
                others = sorted((v for v in self._values if DELIMITERS.search(v)), key=len, reverse=True)
                self._index = SecretIndex(frozenset(plain), tuple(others))
                self._indexed = True
            return self._index

    def __len__(self) -> int:
        return len(self._values)


KNOWN_SECRETS = SecretRegistry()


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        KNOWN_SECRETS.add(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)
