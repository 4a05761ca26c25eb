"""Generating commands that read the context: ``makeresults``, ``metadata``, ``eventcount``, ``rest``,
``inputlookup``, ``tstats``."""

from __future__ import annotations

from typing import Any, Final

from mcp_splunk.sandbox.spl.aggregates import parse_aggregates
from mcp_splunk.sandbox.spl.basesearch import (
    And,
    Query,
    candidate_indexes,
    compile_node,
    event_get,
    parse_query,
)
from mcp_splunk.sandbox.spl.commands.base import (
    ArgReader,
    Command,
    CommandInput,
    RunEnv,
    field_names,
    parse_bool,
    parse_int,
    register,
)
from mcp_splunk.sandbox.spl.commands.charting import default_span, snap
from mcp_splunk.sandbox.spl.commands.scan import newest_first, select_indexes, time_slices
from mcp_splunk.sandbox.spl.commands.stats import aggregate_rows
from mcp_splunk.sandbox.spl.extraction import SERVER_NAME, indexed_row
from mcp_splunk.sandbox.spl.timemod import parse_span, resolve_time
from mcp_splunk.sandbox.spl.values import Row, wildcard_regex
from mcp_splunk.spl import WORD

_METADATA_TYPES: Final = {"hosts": "host", "sources": "source", "sourcetypes": "sourcetype"}
_TSTATS_FUNCTIONS: Final = frozenset(
    ("count", "c", "dc", "distinct_count", "min", "max", "earliest", "latest", "values")
)


class Generating(Command):
    generating = True
    kind = "events"


@register("makeresults")
class MakeresultsCommand(Generating):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("count", "annotate")
        self.count = parse_int(self.name, "count", options.get("count", "1"), minimum=1)
        if reader.words():
            raise self.error("Only count= and annotate= are supported")

    def generate(self, env: RunEnv) -> list[Row]:
        return [{"_time": float(int(env.ctx.now))} for _ in range(self.count)]


@register("metadata")
class MetadataCommand(Generating):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        self.type = reader.options("type").get("type", "").lower()
        if self.type not in _METADATA_TYPES:
            raise self.error("The type argument must be one of hosts, sources, sourcetypes")
        self.indexes = reader.option_values("index")
        reader.options("splunk_server", "datatype")
        if reader.words():
            raise self.error("Unexpected arguments")

    def generate(self, env: RunEnv) -> list[Row]:
        field = _METADATA_TYPES[self.type]
        seen: dict[str, list[float]] = {}  # value -> [first, last, count]
        slices = time_slices(env, select_indexes(env, self.indexes), env.earliest, env.latest)
        for event in newest_first(env, slices):
            value = getattr(event, field)
            stats = seen.get(value)
            if stats is None:
                seen[value] = [event.time, event.time, 1]
            else:
                stats[0], stats[1], stats[2] = (
                    min(stats[0], event.time),
                    max(stats[1], event.time),
                    stats[2] + 1,
                )
        return [
            {
                field: value,
                "firstTime": str(int(first)),
                "lastTime": str(int(last)),
                "recentTime": str(int(last)),
                "totalCount": str(int(count)),
                "type": self.type,
            }
            for value, (first, last, count) in sorted(seen.items())
        ]


@register("eventcount")
class EventcountCommand(Generating):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("summarize", "report_size", "list_vix")
        self.summarize = parse_bool(self.name, "summarize", options.get("summarize", "true"))
        self.indexes = reader.option_values("index")
        if reader.words():
            raise self.error("Unexpected arguments")

    def generate(self, env: RunEnv) -> list[Row]:
        counts = [(name, len(env.ctx.events(name))) for name in select_indexes(env, self.indexes)]
        if self.summarize:
            return [{"count": str(sum(count for _, count in counts))}]
        return [{"count": str(count), "index": name, "server": SERVER_NAME} for name, count in counts]


@register("rest")
class RestCommand(Generating):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        self.count = parse_int(self.name, "count", reader.options("count").get("count", "0"))
        self.server = reader.options("splunk_server").get("splunk_server")
        self.params: dict[str, str] = {}
        tokens = reader.rest()
        while len(tokens) >= 3 and tokens[1].value == "=":  # other name=value pairs go to the endpoint
            self.params[tokens[0].value] = tokens[2].value
            del tokens[:3]
        if len(tokens) != 1 or tokens[0].kind == "SUBSEARCH" or not tokens[0].value.startswith("/"):
            raise self.error("Usage: rest <endpoint path> [count=<n>] [splunk_server=<name>]")
        self.path = tokens[0].value

    def generate(self, env: RunEnv) -> list[Row]:
        if self.server not in (None, "local") and not wildcard_regex(str(self.server)).fullmatch(SERVER_NAME):
            return []
        params = {**self.params, "count": str(self.count)}
        try:
            rows = env.ctx.rest(self.path, params)
        except LookupError:
            raise self.error(f"Failed to fetch REST endpoint uri={self.path} from server={SERVER_NAME}") from None
        return [dict(row) for row in (rows[: self.count] if self.count else rows)]


def _where_query(command: Command, tokens: list[Any], text: str) -> tuple[list[Any], Query | None]:
    """Split off a trailing ``where <search>`` clause, parsed in the search language."""
    for index, token in enumerate(tokens):
        if token.kind == WORD and token.value.lower() == "where":
            return tokens[:index], parse_query(text[token.end :], command.name)
    return tokens, None


@register("inputlookup")
class InputlookupCommand(Generating):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        options = reader.options("append", "start", "max")
        self.start = parse_int(self.name, "start", options.get("start", "0"))
        self.max = parse_int(self.name, "max", options.get("max", "0"))
        tokens, self.where = _where_query(self, reader.rest(), spec.args)
        if len(tokens) != 1:
            raise self.error("Usage: inputlookup <lookup name> [where <search>]")
        self.table = tokens[0].value

    def generate(self, env: RunEnv) -> list[Row]:
        table = env.ctx.lookup_rows(self.table)
        if table is None:
            raise self.error(f"The lookup table '{self.table}' does not exist or is not available")
        rows: list[Row] = [dict(entry) for entry in table[self.start :]]
        if self.where is not None:
            test = compile_node(self.where.tree)
            rows = [row for row in rows if test(row)]
        return rows[: self.max] if self.max else rows


@register("tstats")
class TstatsCommand(Generating):
    kind = "report"
    orders_fields = True

    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        reader = ArgReader(self.name, spec.tokens, spec.args)
        reader.options("prestats", "summariesonly", "allow_old_summaries", "local", "append", "chunk_size")
        span = reader.options("span").get("span")
        self.span = parse_span(span) if span is not None else None
        tokens = reader.rest()
        by_at = next((i for i, t in enumerate(tokens) if t.kind == WORD and t.value.lower() == "by"), len(tokens))
        head, self.query = _where_query(
            self, tokens[:by_at], spec.args[: tokens[by_at].offset] if by_at < len(tokens) else spec.args
        )
        if any(t.kind == WORD and t.value.lower() == "from" for t in head):
            raise self.error("Data models are not available in the sandbox; use tstats over indexed fields")
        self.aggregates = parse_aggregates(self.name, head, allowed=_TSTATS_FUNCTIONS)
        self.by = field_names(self.name, tokens[by_at + 1 :])
        if not self.aggregates:
            raise self.error("Missing a statistical function, as in count")

    def generate(self, env: RunEnv) -> list[Row]:
        tree = self.query.tree if self.query is not None else And(())
        earliest, latest = env.earliest, env.latest
        if self.query is not None and self.query.earliest is not None:
            earliest = resolve_time(self.query.earliest, env.ctx.now)
        if self.query is not None and self.query.latest is not None:
            latest = resolve_time(self.query.latest, env.ctx.now)
        ctx = env.ctx
        indexes = candidate_indexes(tree, list(ctx.searchable_indexes()), list(ctx.default_indexes()))
        test = compile_node(tree, event_get)
        slices = time_slices(env, indexes, earliest, latest)
        rows = [indexed_row(event) for event in newest_first(env, slices) if test(event)]
        env.matched += len(rows)
        if "_time" in self.by and rows:
            times = [row["_time"] for row in rows]
            span = self.span or default_span(earliest or min(times), latest or max(times) + 1)
            for row in rows:
                row["_time"] = snap(row["_time"], span)
        return aggregate_rows(rows, self.aggregates, self.by)
