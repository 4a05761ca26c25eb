"""The result of ``explain_spl``: the shape of ``mcp_splunk.explain.Explanation.to_dict()``."""

from __future__ import annotations

from mcp_splunk.tools.outputs.common import Result


class ExplainedStep(Result):
    id: str
    parent: str | None
    depth: int
    command: str
    spl: str
    description: str
    location: str
    nested_role: str | None


class ExplainedTimeRange(Result):
    earliest: str | None
    latest: str | None
    all_time: bool
    summary: str
    inline: list[str]


class IndexTouched(Result):
    name: str | None
    kind: str
    location: str


class MacroSeen(Result):
    call: str
    location: str
    expanded: bool


class CostWarning(Result):
    code: str
    message: str
    suggestion: str
    location: str


class SplExplanation(Result):
    query: str
    steps: list[ExplainedStep]
    time_range: ExplainedTimeRange
    indexes: list[IndexTouched]
    macros: list[MacroSeen]
    warnings: list[CostWarning]
    notes: list[str]
