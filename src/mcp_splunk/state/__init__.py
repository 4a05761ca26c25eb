"""State the gateway keeps between calls: in this process, or shared by every replica in Redis/Valkey.

Without ``MCP_SPLUNK_STATE_URL`` everything stays in-process. With it, what must agree across replicas lives in
Redis: rate limits, and (with an encryption key) the Splunk configs of header-less session follow-ups.
``MCP_SPLUNK_STATE_FAILURE`` decides what happens while Redis cannot be reached. docs/SCALING.md says what is
shared and why.
"""

from __future__ import annotations

from mcp_splunk.state.bindings import SharedBindings, shared_bindings
from mcp_splunk.state.outage import Outage
from mcp_splunk.state.rate_limits import RateLimiter, SharedWindows, TokenBuckets, build_rate_limiter

__all__ = [
    "Outage",
    "RateLimiter",
    "SharedBindings",
    "SharedWindows",
    "TokenBuckets",
    "build_rate_limiter",
    "shared_bindings",
]
