"""``search`` (the base search over indexes, or a filter over rows) and ``where``."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from mcp_splunk.sandbox.spl.basesearch import (
    And,
    Node,
    Not,
    Or,
    Query,
    Subsearch,
    candidate_indexes,
    compile_node,
    event_get,
    parse_query,
    split_for_events,
)
from mcp_splunk.sandbox.spl.commands.base import Command, CommandInput, RunEnv, register
from mcp_splunk.sandbox.spl.commands.scan import newest_first, time_slices
from mcp_splunk.sandbox.spl.commands.subsearch import subsearch_text
from mcp_splunk.sandbox.spl.expr import parse_expression
from mcp_splunk.sandbox.spl.extraction import event_row
from mcp_splunk.sandbox.spl.timemod import resolve_time
from mcp_splunk.sandbox.spl.values import Row


@register("search")
class SearchCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        self.query: Query = parse_query(spec.args, "search")

    def describe_args(self) -> dict[str, Any]:
        return {"search": [self.rawargs]}

    def resolved_tree(self, env: RunEnv) -> Node:
        return self._resolve(self.query.tree, env)

    def _resolve(self, node: Node, env: RunEnv) -> Node:
        if isinstance(node, Subsearch):
            rows = env.run_subsearch(self.subsearches[node.index])
            return parse_query(subsearch_text(rows), "search").tree
        if isinstance(node, Not):
            return Not(self._resolve(node.child, env))
        if isinstance(node, And | Or):
            return type(node)(tuple(self._resolve(child, env) for child in node.children))
        return node

    def _time_bounds(self, env: RunEnv) -> tuple[float | None, float | None]:
        now = env.ctx.now
        earliest = env.earliest if self.query.earliest is None else resolve_time(self.query.earliest, now)
        latest = env.latest if self.query.latest is None else resolve_time(self.query.latest, now)
        return earliest, latest

    def generate(self, env: RunEnv) -> list[Row]:
        """The base search: events of the candidate indexes in the time range, newest first."""
        tree = self.resolved_tree(env)
        env.earliest, env.latest = self._time_bounds(env)
        ctx = env.ctx
        indexes = candidate_indexes(tree, list(ctx.searchable_indexes()), list(ctx.default_indexes()))
        early, late = split_for_events(tree)
        early_test = compile_node(And(tuple(early)), event_get) if early else None
        late_test = compile_node(And(tuple(late))) if late else None
        slices = time_slices(env, indexes, env.earliest, env.latest)
        rows: list[Row] = []
        for event in newest_first(env, slices):
            if early_test is not None and not early_test(event):
                continue
            row = event_row(event)
            if late_test is None or late_test(row):
                rows.append(row)
                env.matched += 1
        if len(slices) > 1:
            rows.sort(key=itemgetter("_time"), reverse=True)  # merge the per-index runs, newest first
        return rows

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        test = compile_node(self.resolved_tree(env))
        result = [row for row in rows if test(row)]
        if self.query.earliest is not None or self.query.latest is not None:
            earliest, latest = self._time_bounds(env)
            result = [row for row in result if _in_range(row.get("_time"), earliest, latest)]
        return result


def _in_range(value: Any, earliest: float | None, latest: float | None) -> bool:
    if not isinstance(value, int | float):
        return False
    return (earliest is None or value >= earliest) and (latest is None or value < latest)


@register("where")
class WhereCommand(Command):
    def __init__(self, spec: CommandInput) -> None:
        super().__init__(spec)
        self.expr = parse_expression(spec.args, "where")
        if not self.expr.boolean:
            raise self.error("Typechecking failed. The 'where' command requires a Boolean expression")

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        evaluate, eval_env = self.expr.evaluate, env.eval_env
        return [row for row in rows if evaluate(row, eval_env) is True]
