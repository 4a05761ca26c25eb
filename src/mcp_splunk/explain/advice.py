"""The cost warnings a Splunk expert gives on reading a search, each with the rewrite it suggests.

Each rule looks at one pipeline (``Frame``) at a time and speaks only when the cost is certain from the text: a
pattern that may be fine (``| head`` without a sort, a ``dedup`` before a filter) is not a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Final

from mcp_splunk.explain.args import arguments, calls, join_keys, names, option, render, split_at
from mcp_splunk.explain.frames import TRANSFORMING, Frame
from mcp_splunk.explain.model import Advice
from mcp_splunk.explain.scope import ROLE_DEFAULT, frame_earliest, frame_indexes, unbounded
from mcp_splunk.policy.catalogue import canonical
from mcp_splunk.policy.fields import field_name
from mcp_splunk.spl import OP, STRING, WORD, Token

AGGREGATING: Final = TRANSFORMING - {"transaction", "transpose", "xyseries"}
# Fields Splunk writes into its index at ingest, which tstats can count from the tsidx files.
INDEXED: Final = frozenset({"index", "host", "source", "sourcetype", "splunk_server", "_time"})
# Matched against index metadata rather than raw text, so a leading wildcard there costs little.
_METADATA_TERMS: Final = INDEXED | {"earliest", "latest", "eventtype", "tag"}
_TSTATS_FUNCTIONS: Final = frozenset({"count", "dc", "distinct_count", "estdc", "values", "min", "max", "range"})
_TSTATS_FUNCTIONS_ON_ANY: Final = _TSTATS_FUNCTIONS | {"avg", "sum", "earliest", "latest", "median", "stdev"}
# Commands that keep events in the order they arrive (newest first).
_KEEP_ORDER: Final = frozenset(
    {
        "search", "where", "eval", "rex", "fields", "table", "dedup", "rename", "spath", "lookup", "fillnull",
        "regex", "extract", "kvform", "multikv", "convert", "fieldformat", "iplocation", "typer", "tags", "bin",
        "makemv", "nomv", "eventstats", "streamstats", "rangemap", "strcat", "replace", "reltime", "addinfo", "xmlkv",
        "head",
    }
)  # fmt: skip

Rule = Callable[[Frame], Iterator[Advice]]


def advise(frames: Sequence[Frame], earliest: str | None, now: float) -> list[Advice]:
    """Every warning for the query walked into ``frames``, run with ``earliest`` as the job's lower bound."""
    found = [advice for frame in frames for rule in _RULES for advice in rule(frame)]
    found.extend(_all_time(frames, earliest, now))
    return found


def _indexes(frame: Frame) -> Iterator[Advice]:
    if not frame.events:
        return
    kinds = {use.kind for use in frame_indexes(frame)}
    where = frame.first.location
    if ROLE_DEFAULT in kinds:
        yield Advice(
            "no-index",
            "The search names no index, so Splunk reads every index the role searches by default.",
            "Name the index (and the sourcetype if you know it): index=<name> sourcetype=<name> ... ; "
            "list_indexes shows what you can search.",
            where,
        )
    if "all" in kinds:
        yield Advice(
            "all-indexes",
            "index=* reads every index the role can search, including ones unrelated to the question.",
            "Name the indexes you need: index=<name>, or index IN (<a>, <b>).",
            where,
        )


def _leading_wildcard(frame: Frame) -> Iterator[Advice]:
    if not frame.events:
        return
    tokens = frame.first.tokens
    terms = [token.value for index, token in enumerate(tokens) if _is_leading_wildcard(tokens, index)]
    if terms:
        core = terms[0].strip("*")
        yield Advice(
            "leading-wildcard",
            f"The term {', '.join(repr(term) for term in terms)} starts with a wildcard, so Splunk cannot look it "
            "up in the index's term list and must scan the raw text of every event in range.",
            f"Use the whole term ({core}) or a trailing wildcard ({core}*); for a true substring match, narrow the "
            f'search with other terms first, then filter with | where like(<field>, "%{core}%").',
            frame.first.location,
        )


def _is_leading_wildcard(tokens: Sequence[Token], index: int) -> bool:
    token = tokens[index]
    if token.kind not in (WORD, STRING) or not token.value.startswith("*") or not token.value.strip("*"):
        return False
    before = tokens[index - 1] if index > 0 else None
    if before is not None and before.kind == OP and before.value in ("=", "==", "!="):
        return index >= 2 and field_name(tokens[index - 2]).lower() not in _METADATA_TERMS
    return True


def _join(frame: Frame) -> Iterator[Advice]:
    container = frame.container
    if container is None or canonical(container.name) != "join":
        return
    key = ", ".join(join_keys(container.tokens)) or "<key>"
    if canonical(frame.first.name) == "inputlookup":
        table = names(frame.first.tokens)[:1] or ["<table>"]
        yield Advice(
            "join-lookup",
            "join reads the whole lookup through a subsearch (at most 50,000 rows) and joins in memory; lookup "
            "matches each row against the table directly, with no row limit.",
            f"| lookup {table[0]} {key} OUTPUT <fields>",
            container.location,
        )
    elif frame_indexes(frame):
        outer = frame.outer.spl[0] if frame.outer is not None and frame.outer.events else "<outer search>"
        inner = arguments(frame.spl[0], "search") if frame.events else frame.spl[0]
        yield Advice(
            "join",
            "join runs its subsearch first and keeps at most 50,000 of its rows (60 seconds of it): past that, "
            "matches are lost without an error, and the join itself runs in memory on the search head.",
            f"Search both sets at once and group them by the key: ({arguments(outer, 'search')}) OR ({inner}) | stats "
            f"values(*) AS * by {key}",
            container.location,
        )


def _transaction(frame: Frame) -> Iterator[Advice]:
    if not frame.events:
        return
    for command in frame.pipeline.commands:
        if canonical(command.name) != "transaction":
            continue
        keys = ", ".join(names(command.tokens)) or "<key>"
        yield Advice(
            "transaction",
            "transaction holds events in memory on the search head to group them, and evicts open transactions "
            "past its limits (maxopentxn, maxevents), so large sets are slow and silently incomplete.",
            f"Where a field identifies each group, use stats: | stats min(_time) AS start max(_time) AS end "
            f"count values(<field>) AS <field> by {keys} | eval duration=end-start",
            command.location,
        )


def _search_after_stats(frame: Frame) -> Iterator[Advice]:
    first = canonical(frame.first.name)
    aggregated = first if first in AGGREGATING else None
    for command, spl in zip(frame.pipeline.commands[1:], frame.spl[1:], strict=True):
        name = canonical(command.name)
        if name == "search" and aggregated is not None:
            yield Advice(
                "search-after-stats",
                f"| search after {aggregated} filters the finished statistics: every row was computed first, "
                "only to be thrown away.",
                f"Filter on a grouping field before the {aggregated} (in the base search); for a condition on a "
                f"computed value, use | where {arguments(spl, 'search')}",
                command.location,
            )
        elif name in AGGREGATING:
            aggregated = name


def _filter_late(frame: Frame) -> Iterator[Advice]:
    commands = frame.pipeline.commands
    if frame.events and len(commands) > 1 and canonical(commands[1].name) == "search":
        yield Advice(
            "filter-late",
            "| search right after the base search filters events after they were read; the same terms in the "
            "base search let the indexers skip them.",
            f"Move the terms into the base search: {arguments(frame.spl[0], 'search')} "
            f"{arguments(frame.spl[1], 'search')}",
            commands[1].location,
        )


def _sort(frame: Frame) -> Iterator[Advice]:
    if not frame.events:
        return
    bounded = trimmed = False
    for command in frame.pipeline.commands[1:]:
        name = canonical(command.name)
        if name == "sort":
            keys = "".join(t.value for t in command.tokens if t.kind == WORD and not t.value.isdigit())
            if keys == "-_time":
                yield Advice(
                    "sort-time",
                    "Events already come newest first, so sort - _time only spends memory sorting them again "
                    "(and keeps at most 10,000).",
                    "Drop the sort: | head N gives the newest N events, | reverse the oldest first.",
                    command.location,
                )
            elif not (bounded or trimmed):
                yield Advice(
                    "sort-events",
                    "sort holds every event, with all of its fields, in memory on the search head (and keeps at "
                    "most 10,000 unless given a count).",
                    "Aggregate first (stats) or keep only the fields you need before sorting: | fields <a>, <b> "
                    "| sort ...",
                    command.location,
                )
            return
        if name not in _KEEP_ORDER:
            return
        bounded = bounded or name in ("head", "dedup")
        trimmed = trimmed or name in ("fields", "table")


def _table_before_stats(frame: Frame) -> Iterator[Advice]:
    commands = frame.pipeline.commands
    for position, command in enumerate(commands):
        if canonical(command.name) != "table":
            continue
        later = next((canonical(c.name) for c in commands[position + 1 :] if canonical(c.name) in AGGREGATING), None)
        if later is not None:
            yield Advice(
                "table-before-stats",
                f"table is a transforming command: every event is sent to the search head before {later} runs, "
                "so the indexers cannot share the work.",
                f"Use | fields {', '.join(names(command.tokens))} (a streaming command) instead of | table before "
                f"{later}.",
                command.location,
            )


def _tstats(frame: Frame) -> Iterator[Advice]:
    commands = frame.pipeline.commands
    if not frame.events or frame.hides_macro(0) or not _indexed_only(frame.first.tokens):
        return
    span = None
    position = 1
    if len(commands) > 2 and canonical(commands[1].name) == "bin" and names(commands[1].tokens) == ["_time"]:
        span, position = option(commands[1].tokens, "span"), 2
    if position >= len(commands) or canonical(commands[position].name) != "stats":
        return
    before, after = split_at(commands[position].tokens, "by")
    aggregations = calls(before)
    by = names(after)
    if not aggregations or not set(by) <= INDEXED or ("_time" in by) != (span is not None):
        return
    if any(c.function not in _TSTATS_FUNCTIONS or c.argument not in (None, *INDEXED) for c in aggregations):
        return
    group = " ".join(f"_time span={span}" if name == "_time" else name for name in by)
    rewrite = f"| tstats {' '.join(c.text for c in aggregations)} where {render(frame.first.tokens)}"
    yield Advice(
        "tstats",
        "Every term and field here is indexed (index, host, source, sourcetype, _time), so tstats can answer from "
        "the index's tsidx summaries without reading a single raw event.",
        rewrite + (f" by {group}" if group else "") + (" | ..." if position + 1 < len(commands) else ""),
        commands[position].location,
    )


def _indexed_only(tokens: Sequence[Token]) -> bool:
    """Only ``field=value`` terms on indexed fields (and time bounds), at least one of them an index."""
    triples = [tokens[i : i + 3] for i in range(0, len(tokens), 3)]
    if not triples or any(len(t) != 3 or t[1].kind != OP or t[1].value != "=" for t in triples):
        return False
    fields = {t[0].value.lower() for t in triples}
    return "index" in fields and fields <= INDEXED | {"earliest", "latest"} and all(t[0].kind == WORD for t in triples)


def _datamodel(frame: Frame) -> Iterator[Advice]:
    commands = frame.pipeline.commands
    model = next((use.name for use in frame_indexes(frame) if use.kind == "data model"), None)
    if model is None or frame.reader == "tstats" or len(commands) < 2 or canonical(commands[1].name) != "stats":
        return
    before, after = split_at(commands[1].tokens, "by")
    aggregations = calls(before)
    if not aggregations or any(c.function not in _TSTATS_FUNCTIONS_ON_ANY for c in aggregations):
        return
    root, dataset = model.split(".")[0], model.split(".")[-1]
    words = names(frame.first.tokens)
    dataset = words[1] if frame.reader == "datamodel" and len(words) > 1 else dataset
    by = " ".join(name if "." in name else f"{dataset}.{name}" for name in names(after))
    yield Advice(
        "accelerated-datamodel",
        f"If the data model {root} is accelerated, tstats answers from its summaries instead of searching its raw "
        "events.",
        f"| tstats summariesonly=t {' '.join(c.text for c in aggregations)} from datamodel={root}"
        + (f" by {by}" if by else ""),
        commands[1].location,
    )


def _all_time(frames: Sequence[Frame], earliest: str | None, now: float) -> Iterator[Advice]:
    for frame in frames:
        if frame.reader in ("metadata", "eventcount") or not frame_indexes(frame):
            continue  # reading index metadata over all time is cheap
        if unbounded(frame_earliest(frame, earliest), now):
            yield Advice(
                "all-time",
                "The search has no lower time bound (all time), so Splunk opens every bucket of the indexes it reads.",
                "Give an earliest time, such as earliest_time=-24h (or earliest=-7d@d in the search), and widen it "
                "only if the answer needs it.",
                frame.first.location,
            )
            return


_RULES: Final[tuple[Rule, ...]] = (
    _indexes,
    _leading_wildcard,
    _filter_late,
    _tstats,
    _datamodel,
    _join,
    _transaction,
    _sort,
    _table_before_stats,
    _search_after_stats,
)
