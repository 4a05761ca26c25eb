"""SPL explained without running it: each command in plain words, the time range, the indexes touched, and the
cost warnings an expert would give, each with the rewrite it suggests.

Deterministic and pure: it reads the gateway's own walk of the query (``policy.walker``), and the target's
``search/parser`` JSON when the caller passes it, so macro bodies are covered as the policy covers them.
"""

from __future__ import annotations

from mcp_splunk.explain.analysis import explain
from mcp_splunk.explain.model import Advice, Explanation, IndexUse, MacroNote, Step, TimeRange

__all__ = ["Advice", "Explanation", "IndexUse", "MacroNote", "Step", "TimeRange", "explain"]
