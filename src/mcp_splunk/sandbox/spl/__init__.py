"""The sandbox's SPL engine: parses, describes and runs searches over a ``SearchContext``.

Performance over the sample corpus (about 38,000 events; Python 3.11, 2 vCPUs), once field extraction is cached
on the events: ``search index=* earliest=0 | stats count by sourcetype`` answers in about 100 ms through the REST
layer, ``index=web status>=500 | stats count by host`` in about 50 ms. The first search that extracts fields for
every event takes about 400 ms. ``scripts/bench.py`` measures the sandbox alongside the gateway.
"""

from __future__ import annotations

from mcp_splunk.sandbox.spl.commands import ParsedSearch
from mcp_splunk.sandbox.spl.errors import SearchCancelled, SplError, UnknownCommandError
from mcp_splunk.sandbox.spl.parser_info import describe
from mcp_splunk.sandbox.spl.parsing import parse_search
from mcp_splunk.sandbox.spl.render import render_row
from mcp_splunk.sandbox.spl.runner import SearchResult, run_search
from mcp_splunk.sandbox.spl.timemod import format_time, resolve_time
from mcp_splunk.sandbox.spl.values import Row

__all__ = [
    "ParsedSearch",
    "Row",
    "SearchCancelled",
    "SearchResult",
    "SplError",
    "UnknownCommandError",
    "describe",
    "format_time",
    "parse_search",
    "render_row",
    "resolve_time",
    "run_search",
]
