"""``run_search``: executes a parsed search against a context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from mcp_splunk.sandbox.spl.commands import ParsedSearch, RunEnv
from mcp_splunk.sandbox.spl.commands.search import SearchCommand
from mcp_splunk.sandbox.spl.context import SearchContext
from mcp_splunk.sandbox.spl.errors import SearchCancelled, SplError
from mcp_splunk.sandbox.spl.evalfuncs import EvalEnv
from mcp_splunk.sandbox.spl.timemod import resolve_time
from mcp_splunk.sandbox.spl.values import Row

SUBSEARCH_MAX_RESULTS: Final = 10000


@dataclass(slots=True)
class SearchResult:
    fields: list[str]  # output field names in splunkd's order
    results: list[Row]  # final rows
    events: list[Row]  # rows before the first transforming command
    event_count: int  # events the event pipeline returned (after head, where, ...; before any report)
    scan_count: int  # events examined
    is_reporting: bool  # a transforming command ran
    messages: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    earliest: float | None = None  # the effective search range
    latest: float | None = None


def _no_progress(_fraction: float, _scanned: int, _matched: int) -> None:
    return None


def run_search(
    parsed: ParsedSearch,
    ctx: SearchContext,
    *,
    earliest_time: str | None = None,
    latest_time: str | None = None,
    progress: Callable[[float, int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SearchResult:
    """Run ``parsed``; inline earliest=/latest= in the base search override the job's range."""
    now = ctx.now
    earliest = resolve_time(earliest_time, now) if earliest_time else None
    latest = resolve_time(latest_time, now) if latest_time else None

    def check_stop() -> None:
        if should_stop is not None and should_stop():
            raise SearchCancelled

    messages: list[tuple[str, str]] = []

    def new_env(report: Callable[[float, int, int], None]) -> RunEnv:
        return RunEnv(ctx, earliest, latest, EvalEnv(now), run_subsearch, check_stop, report, messages)

    def run_subsearch(sub: ParsedSearch) -> list[Row]:
        rows = _execute(sub, new_env(_no_progress))[0]
        if len(rows) > SUBSEARCH_MAX_RESULTS:
            messages.append(
                (
                    "WARN",
                    f"Subsearch produced {len(rows)} results, truncating to maxout {SUBSEARCH_MAX_RESULTS}.",
                )
            )
        return rows[:SUBSEARCH_MAX_RESULTS]

    report = progress or _no_progress
    env = new_env(report)
    try:
        rows, events, reporting, ordered = _execute(parsed, env)
    except RecursionError:
        # An expression thousands of operators long evaluates recursively: fail the search, not the server.
        raise SplError("Error in 'SearchProcessor': An expression is too deeply nested to evaluate.") from None
    report(1.0, env.scanned, env.matched)
    return SearchResult(
        fields=field_order(rows, ordered=ordered),
        results=rows,
        events=events,
        # splunkd's eventCount is what the event part of the pipeline returned: 10 for "... | head 10".
        event_count=len(events) if parsed.commands and isinstance(parsed.commands[0], SearchCommand) else env.matched,
        scan_count=env.scanned,
        is_reporting=reporting,
        messages=messages,
        earliest=env.earliest,
        latest=env.latest,
    )


def _execute(parsed: ParsedSearch, env: RunEnv) -> tuple[list[Row], list[Row], bool, bool]:
    """(results, events, is_reporting, fixed field order) of one pipeline."""
    rows: list[Row] = []
    events: list[Row] | None = None
    reporting = ordered = False
    for position, command in enumerate(parsed.commands):
        env.check_stop()
        if command.kind == "report":
            reporting = True
            if events is None:
                events = rows
        if position == 0:
            generated = command.generate(env)
            rows = command.run([], env) if generated is None else generated
            if not isinstance(command, SearchCommand) and not env.matched:
                env.matched = len(rows)  # generated rows count as the search's events
        else:
            rows = command.run(rows, env)
        ordered = ordered or command.orders_fields
    return rows, rows if events is None else events, reporting, ordered


def field_order(rows: list[Row], *, ordered: bool) -> list[str]:
    """Columns in first-seen order after tables and reports; otherwise internal fields first, then by name."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return names if ordered else sorted(names, key=lambda name: (not name.startswith("_"), name))
