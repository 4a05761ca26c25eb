"""Search modes (``adhoc_search_level``) and event sampling (``sample_ratio``), as splunkd applies them to a job.

Both change what the base search reads, so both are a view over the caller's ``SearchContext``:

- fast mode turns field discovery off: an event carries its default fields and only the search-time fields the
  SPL names (as splunkd's remoteSearch ``| fields keepcolorder=t "_bkt" "_cd" … "splunk_server"`` shows); verbose
  extracts every field; smart is fast for a transforming search and verbose otherwise (Splunk's "Search modes").
- ``sample_ratio=N`` keeps one event in N. The choice hashes the event itself, so the same search over the same
  corpus samples the same events, and a sample's size is binomial around count/N.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, overload

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl.commands import ParsedSearch
from mcp_splunk.sandbox.spl.context import MacroDefinition, SearchContext
from mcp_splunk.sandbox.spl.errors import SplError
from mcp_splunk.sandbox.spl.extraction import extracted_fields

SEARCH_LEVELS: Final = ("fast", "smart", "verbose")
MAX_SAMPLE_RATIO: Final = 100_000_000


def search_level(value: str | None) -> str:
    """The requested level; splunkd's REST default is verbose. Anything else is refused, as splunkd does."""
    level = (value or "verbose").strip().lower()
    if level not in SEARCH_LEVELS:
        raise SplError(f"Invalid adhoc_search_level '{level[:32]}': use one of {', '.join(SEARCH_LEVELS)}.")
    return level


def sample_ratio(value: str | None) -> int:
    try:
        ratio = int(value) if value else 1
    except ValueError:
        ratio = 0
    if not 1 <= ratio <= MAX_SAMPLE_RATIO:
        raise SplError(
            f"Invalid sample_ratio '{(value or '')[:32]}': it must be an integer from 1 to {MAX_SAMPLE_RATIO}."
        )
    return ratio


def sampled(event: Event, ratio: int) -> bool:
    """Whether ``event`` is in a 1-in-``ratio`` sample: a hash of its time and text, not a random draw."""
    return ratio == 1 or zlib.crc32(f"{event.time!r}\x00{event.raw}".encode()) % ratio == 0


def discovers_fields(level: str, parsed: ParsedSearch) -> bool:
    if level == "smart":
        return not any(command.kind == "report" for command in parsed.commands)
    return level == "verbose"


class _Named:
    """Whether a field name occurs in the SPL as a name (not as part of a longer one); cached per name."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._seen: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        found = self._seen.get(name)
        if found is None:
            found = re.search(rf"(?<![\w.{{}}]){re.escape(name)}(?![\w.{{}}])", self._text) is not None
            self._seen[name] = found
        return found


class _Events(Sequence[Event]):
    """An index's events with ``shape`` applied on access: lazy, so a narrow range costs only its events."""

    def __init__(self, events: Sequence[Event], shape: Callable[[Event], Event]) -> None:
        self._events = events
        self._shape = shape

    def __len__(self) -> int:
        return len(self._events)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> _Events: ...
    def __getitem__(self, index: int | slice) -> Event | _Events:
        if isinstance(index, slice):
            return _Events(self._events[index], self._shape)
        return self._shape(self._events[index])


class ModeContext:
    """A ``SearchContext`` whose events are sampled and, without field discovery, extracted only as named."""

    def __init__(self, inner: SearchContext, *, ratio: int, named: Callable[[str], bool] | None) -> None:
        self._inner = inner
        self._ratio = ratio
        self._named = named
        self._cache: dict[str, Sequence[Event]] = {}

    @property
    def now(self) -> float:
        return self._inner.now

    @property
    def user(self) -> str:
        return self._inner.user

    def searchable_indexes(self) -> Sequence[str]:
        return self._inner.searchable_indexes()

    def default_indexes(self) -> Sequence[str]:
        return self._inner.default_indexes()

    def events(self, index: str) -> Sequence[Event]:
        found = self._cache.get(index)
        if found is None:
            events = self._inner.events(index)
            if self._ratio > 1:
                events = [event for event in events if sampled(event, self._ratio)]
            found = events if self._named is None else _Events(events, self._undiscovered)
            self._cache[index] = found
        return found

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        return self._inner.lookup_rows(name)

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        return self._inner.macro(name, argc)

    def rest(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        return self._inner.rest(path, params)

    def _undiscovered(self, event: Event) -> Event:
        named = self._named
        assert named is not None
        fields = {k: v for k, v in extracted_fields(event).items() if named(k)}
        return Event(event.time, event.raw, event.index, event.host, event.source, event.sourcetype, fields)


def mode_context(inner: SearchContext, parsed: ParsedSearch, request: Mapping[str, str]) -> SearchContext:
    """The context a job runs in, given its ``adhoc_search_level`` and ``sample_ratio`` (or the saved search's
    ``dispatch.sample_ratio``); the plain context when neither changes anything."""
    ratio = sample_ratio(request.get("sample_ratio") or request.get("dispatch.sample_ratio"))
    discover = discovers_fields(search_level(request.get("adhoc_search_level")), parsed)
    if ratio == 1 and discover:
        return inner
    return ModeContext(inner, ratio=ratio, named=None if discover else _Named(parsed.text))
