"""The paging envelope every listing and result page carries: ``{offset, count, total, has_more, next_offset}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Page:
    offset: int
    count: int  # rows in this page
    total: int

    @property
    def has_more(self) -> bool:
        return self.offset + self.count < self.total

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.count if self.has_more else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "count": self.count,
            "total": self.total,
            "has_more": self.has_more,
            "next_offset": self.next_offset,
        }


def paginate(total: int, offset: int, limit: int) -> Page:
    start = min(offset, total)
    return Page(start, max(0, min(limit, total - start)), total)
