"""``explain_spl``: a query in plain words, with its time range, indexes and cost warnings, without running it."""

from __future__ import annotations

import dataclasses
import time

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import InvalidArgument, SearchSyntaxError
from mcp_splunk.explain import Explanation, explain
from mcp_splunk.spl import SplSyntaxError
from mcp_splunk.spl.timemod import TimeModifierError, resolve_time
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.outputs.explain import SplExplanation


class ExplainSplParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=20_000, description="The SPL to explain, as you would give run_search.")
    earliest_time: str | None = Field(
        None,
        max_length=100,
        description=(
            "Start of the time range it would run over, as for run_search (e.g. -24h, -7d@d, 0 for all time). "
            "Default: run_search's default window."
        ),
    )
    latest_time: str = Field("now", max_length=100, description="End of the time range. Default now.")
    expand_macros: bool = Field(
        True,
        description=(
            "Expand macros with the target Splunk's search parser (one parse request, nothing runs). False: explain "
            "the text alone, macros unexpanded."
        ),
    )


class ExplainSpl(BaseTool):
    name = "explain_spl"
    title = "Explain SPL and how to make it cheaper"
    description = (
        "Explain an SPL query without running it: each command in plain words, in order (subsearches, join/append "
        "searches and, through the target's parser, macros expanded), the time range it covers, the indexes it "
        "reads, and the cost warnings a Splunk expert would give (no index, index=*, leading wildcards, all time, "
        "join or transaction over large sets, | search after stats, a search tstats could answer, ...), each with "
        "the rewrite it suggests. Deterministic. Use validate_spl to know whether the gateway would run it."
    )
    annotations = read_only()
    Params = ExplainSplParams
    Result = SplExplanation

    async def execute(self, params: ExplainSplParams) -> ToolOutput:
        text = normalize_query(params.query)
        earliest = params.earliest_time or self.deps.settings.gateway.default_earliest
        for argument, value in (("earliest_time", earliest), ("latest_time", params.latest_time)):
            try:
                resolve_time(value, time.time())
            except TimeModifierError:
                raise InvalidArgument(
                    f"{argument} '{value[:60]}' is not a Splunk time: use a relative modifier such as -24h, -7d@d or "
                    "now, an epoch time, or an ISO 8601 time."
                ) from None
        try:
            explanation = explain(text, earliest=earliest, latest=params.latest_time)
        except SplSyntaxError as exc:
            raise InvalidArgument(f"The query cannot be parsed: {exc.message} Fix the SPL in 'query'.") from None
        if params.expand_macros and explanation.macros:
            explanation = await self._expanded(text, earliest, params.latest_time, explanation)
        return ToolOutput(explanation.to_dict())

    async def _expanded(self, text: str, earliest: str, latest: str, plain: Explanation) -> Explanation:
        """The explanation of the target parser's expansion; the plain one, with why, if Splunk cannot parse it."""
        splunk = await self.get_splunk_service()
        try:
            parsed = await splunk.run(ops.parse_spl, text)
        except SearchSyntaxError as exc:
            return dataclasses.replace(plain, notes=(*plain.notes, f"The target Splunk cannot parse it: {exc.message}"))
        return explain(text, earliest=earliest, latest=latest, parsed=parsed)


TOOLS: tuple[type[BaseTool], ...] = (ExplainSpl,)
