"""Events as the sandbox indexes them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class Event:
    """One indexed event.

    The indexed fields are fixed once the event is stored. ``extracted`` caches the search-time fields the SPL
    engine derives from ``raw`` (key=value pairs, access_combined, JSON); it is computed on first need so the
    sandbox starts without paying for extraction over the whole corpus.
    """

    time: float  # epoch seconds, UTC
    raw: str
    index: str
    host: str
    source: str
    sourcetype: str
    extracted: dict[str, str | list[str]] | None = None  # multivalue fields (JSON arrays) as lists
