"""What the SPL engine needs from the sandbox that runs it.

The engine never touches the sandbox's state directly: everything comes through a ``SearchContext`` that the
REST layer builds for one search and one caller. Role restrictions are therefore enforced in one place, the
context: an index the caller may not search simply does not exist for the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mcp_splunk.sandbox.events import Event


@dataclass(frozen=True, slots=True)
class MacroDefinition:
    name: str  # as written in configs/conf-macros, e.g. "web_errors" or "errors_for(1)"
    args: tuple[str, ...]  # argument names, empty for a macro without arguments
    definition: str


class SearchContext(Protocol):
    """One caller's view of the sandbox for the duration of one search."""

    @property
    def now(self) -> float:
        """Epoch seconds that relative time modifiers (``-24h``, ``@d``, ``now``) are resolved against."""

    @property
    def user(self) -> str:
        """Name of the user running the search."""

    def searchable_indexes(self) -> Sequence[str]:
        """Existing index names this caller may search (internal ones included when allowed)."""

    def default_indexes(self) -> Sequence[str]:
        """Indexes searched when the search names none (the role's srchIndexesDefault, usually ``main``)."""

    def events(self, index: str) -> Sequence[Event]:
        """Events of a searchable index, sorted by ``time`` ascending.

        Empty for unknown or forbidden indexes.
        """

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        """Rows of a lookup, by file name (``http_status.csv``) or lookup definition name; None if unknown."""

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        """The macro ``name`` taking ``argc`` arguments, or None."""

    def rest(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """Rows for ``| rest <path>``: the sandbox's own REST entries, with this caller's rights.

        Each row holds ``title``, ``id``, ``splunk_server``, ``author`` and the entry's content keys.
        Raises ``LookupError`` for an endpoint the sandbox does not serve.
        """
