"""The gateway's SPL security policy: refuse SPL that writes, sends or executes, judged by parsing, not by regex.

``SplPolicy.check`` judges a query's text; ``check_with_parser`` also judges the target's own parse of it, whose
macros are expanded. Both are pure: the gateway fetches the parser JSON and passes it in.
"""

from __future__ import annotations

from mcp_splunk.policy.commands import ALIASES, DEFAULT_DENIED, REASONS, canonical
from mcp_splunk.policy.policy import Finding, SplPolicy, Verdict

__all__ = ["ALIASES", "DEFAULT_DENIED", "REASONS", "Finding", "SplPolicy", "Verdict", "canonical"]
