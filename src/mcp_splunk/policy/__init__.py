"""What SPL may run: default deny, judged on the parsed query, not by regex.

``SplPolicy.check`` judges a query's text; ``check_with_parser`` also judges the target's own parse of it, whose
macros are expanded. Both are pure: the gateway fetches the parser JSON and passes it in.
"""

from __future__ import annotations

from mcp_splunk.policy.catalogue import ALIASES, READ_ONLY, REFUSED, canonical
from mcp_splunk.policy.policy import Finding, SplPolicy, Verdict
from mcp_splunk.policy.rest import DEFAULT_ENDPOINTS, NEVER, RestRules
from mcp_splunk.policy.time_terms import TimeTerm

__all__ = [
    "ALIASES",
    "DEFAULT_ENDPOINTS",
    "NEVER",
    "READ_ONLY",
    "REFUSED",
    "Finding",
    "RestRules",
    "SplPolicy",
    "TimeTerm",
    "Verdict",
    "canonical",
]
