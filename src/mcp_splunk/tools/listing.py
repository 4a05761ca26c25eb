"""Shared pieces of the listing tools: name filters, paging fitted to the output budget, value normalisation."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from mcp_splunk.tools.base import ToolOutput
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.paging import Page, paginate

MAX_COUNT = 1000

# Names of knowledge objects (saved searches, dashboards): they only ever travel in URL paths, percent-encoded,
# but quotes, backslashes, backquotes and control characters are refused as most likely a mistake or an attack.
ObjectName = Annotated[str, StringConstraints(pattern=r"^[^\"`\\\x00-\x1f\x7f]{1,512}$")]
AppName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")]


def filter_field(noun: str, example: str) -> Any:
    return Field(
        None,
        min_length=1,
        max_length=200,
        description=(
            f"Only {noun} whose name contains this text (case-insensitive), or matches it as a wildcard pattern "
            f"when it holds * or ?, e.g. '{example}'. Default: all."
        ),
    )


def offset_field(noun: str) -> Any:
    return Field(0, ge=0, description=f"Position of the first {noun} to return, for paging. Default 0.")


def count_field(noun: str) -> Any:
    return Field(
        100, ge=1, le=MAX_COUNT, description=f"How many {noun} to return at most (1-{MAX_COUNT}). Default 100."
    )


def name_matches(value: str, pattern: str | None) -> bool:
    if not pattern:
        return True
    if any(c in pattern for c in "*?"):
        return fnmatch.fnmatchcase(value.lower(), pattern.lower())
    return pattern.lower() in value.lower()


def flag(value: Any) -> bool:
    """splunkd booleans: real ones in JSON, but also "1"/"0"/"true"/"false" strings from .conf values."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "t", "y")


def integer(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def iso_utc(epoch: Any) -> str | None:
    """An epoch time (number or numeric string) as ISO 8601 UTC to the second, e.g. 2024-05-01T12:00:00Z."""
    try:
        moment = datetime.fromtimestamp(int(float(epoch)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def acl_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    acl = entry.get("acl") or {}
    return {"app": acl.get("app"), "owner": acl.get("owner"), "sharing": acl.get("sharing")}


@dataclass(frozen=True, slots=True)
class Fitted:
    rows: list[dict[str, Any]]
    page: Page
    truncated: dict[str, Any] | None


def more_from(next_offset: int, parameter: str = "offset") -> str:
    """The hint of a page cut to fit the output limit: where the next call starts."""
    return f"Cut to fit the output limit: call again with {parameter}={next_offset} for the rest."


def fit_page(
    rows: Sequence[dict[str, Any]], offset: int, count: int, max_chars: int, around: Mapping[str, Any] | None = None
) -> Fitted:
    """The page [offset, offset+count) of ``rows``, cut further to what fits the output budget next to ``around``."""
    window = paginate(len(rows), offset, count)
    wanted = list(rows[window.offset : window.offset + window.count])
    shown = wanted[: fit_rows(wanted, max_chars, around=around)]
    page = paginate(len(rows), offset, len(shown))
    return Fitted(shown, page, truncation(len(shown), len(wanted), more=more_from(page.offset + page.count)))


def listing(
    key: str,
    rows: Sequence[dict[str, Any]],
    *,
    offset: int,
    count: int,
    max_chars: int,
    extra: Mapping[str, Any] | None = None,
) -> ToolOutput:
    """A paged listing: ``extra``, the rows under ``key``, a paging envelope and a truncation note when cut."""
    fitted = fit_page(rows, offset, count, max_chars, around=extra)
    data: dict[str, Any] = {**(extra or {}), key: fitted.rows, "paging": fitted.page.as_dict()}
    if fitted.truncated:
        data["truncated"] = fitted.truncated
    return ToolOutput(data)
