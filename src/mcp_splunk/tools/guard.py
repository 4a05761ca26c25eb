"""The SPL guard every SPL-running tool goes through: the gateway's policy, with the target's parser for macros.

The policy is built once from operator settings (``MCP_SPLUNK_ALLOWED_SPL_COMMANDS``); nothing a tool argument
holds can change it. A query with macros is also judged on the target's own expansion (``search/parser``).
"""

from __future__ import annotations

from mcp_splunk.errors import PolicyViolation
from mcp_splunk.policy import SplPolicy, Verdict
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.spl import find_macro_calls
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.splunk_client import SplunkClient


class SplGuard:
    def __init__(self, settings: GatewaySettings) -> None:
        self.policy = SplPolicy.from_settings(allowed_overrides=settings.allowed_spl_commands)

    async def verdict(self, splunk: SplunkClient, query: str) -> Verdict:
        """The policy's verdict on ``query`` as splunkd will receive it (``search`` prefixed where implied)."""
        text = normalize_query(query)
        if find_macro_calls(text):
            return self.policy.check_with_parser(text, await splunk.run(ops.parse_spl, text))
        return self.policy.check(text)

    async def require(self, splunk: SplunkClient, query: str) -> str:
        """The normalized query if the policy allows it; else ``PolicyViolation`` naming the command and where."""
        verdict = await self.verdict(splunk, query)
        if not verdict.allowed:
            raise PolicyViolation(f"The search was not run. {verdict.reason}")
        return normalize_query(query)
