"""The SPL guard every SPL-running tool goes through: the policy (with the target's parser for macros), then the
time window over every time bound the policy found.

The policy is built once from operator settings; nothing a tool argument holds can change it. A query with macros
is also judged on the target's own expansion (``search/parser``).
"""

from __future__ import annotations

from mcp_splunk.errors import PolicyViolation
from mcp_splunk.policy import SplPolicy, Verdict
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.spl import find_macro_calls
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.splunk_client import SplunkClient
from mcp_splunk.tools.time_window import check_time_window


class SplGuard:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.policy = SplPolicy.from_settings(
            settings.allowed_spl_commands,
            writes=settings.allow_writes,
            rest_endpoints=sorted(settings.allowed_rest_endpoints),
            max_map_searches=settings.max_map_searches,
        )

    async def verdict(self, splunk: SplunkClient, query: str) -> Verdict:
        """The policy's verdict on ``query`` as splunkd will receive it (``search`` prefixed where implied)."""
        text = normalize_query(query)
        if find_macro_calls(text):
            return self.policy.check_with_parser(text, await splunk.run(ops.parse_spl, text))
        return self.policy.check(text)

    async def require(self, splunk: SplunkClient, query: str, earliest: str, latest: str) -> str:
        """The query to dispatch if the policy and the time window allow it; else ``PolicyViolation`` (or
        ``InvalidArgument`` for a time Splunk would not read) naming what to change."""
        verdict = await self.verdict(splunk, query)
        if not verdict.allowed:
            raise PolicyViolation(f"The search was not run. {verdict.reason}")
        check_time_window(self.settings, earliest, latest, verdict.time_terms)
        return verdict.query
