"""``validate_spl``: judge SPL without running it, with the target's parser and the gateway's policy."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import SearchSyntaxError
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.outputs.search import SplCheck


class ValidateSplParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=20_000, description="The SPL to check, as you would give run_search.")


class ValidateSpl(BaseTool):
    name = "validate_spl"
    title = "Check SPL without running it"
    description = (
        "Check an SPL query without running it: parses it with the target Splunk's own search parser (macros "
        "expanded) and applies the gateway's policy: every command, wherever it hides (subsearches, map, macros), "
        "must be on its read-only list, no subsearch may build SPL from data, and | rest reads only allowlisted "
        "endpoints. Returns whether it parses, whether it would be allowed, every command found, the reason, and "
        "the query as it would be dispatched. Use it to test a draft before run_search."
    )
    annotations = read_only()
    Params = ValidateSplParams
    Result = SplCheck

    async def execute(self, params: ValidateSplParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        text = normalize_query(params.query)
        try:
            parsed: dict[str, Any] | None = await splunk.run(ops.parse_spl, text)
            parse_error = None
        except SearchSyntaxError as exc:
            parsed, parse_error = None, exc.message
        policy = self.deps.guard.policy
        verdict = policy.check_with_parser(text, parsed) if parsed is not None else policy.check(text)
        allowed = verdict.allowed and parse_error is None
        reason = f"Splunk cannot parse it: {parse_error}" if parse_error else verdict.reason
        data = {
            "valid": parse_error is None,
            "allowed": allowed,
            "reason": reason,
            "query": text,
            # What run_search would send: the query, with secret-named fields dropped after every | rest.
            "dispatched_query": verdict.query if allowed else None,
            "commands": list(verdict.commands),
            "findings": verdict.as_dict()["findings"],
            "splunk_commands": [c.get("command") for c in (parsed or {}).get("commands", []) if isinstance(c, dict)],
        }
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (ValidateSpl,)
