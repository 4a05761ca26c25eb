"""SPL commands, one module per family; importing this package fills ``REGISTRY``."""

from __future__ import annotations

from mcp_splunk.sandbox.spl.commands import (  # noqa: F401  (imported to register their commands)
    charting,
    evaluating,
    fields,
    fieldsummary,
    generating,
    ordering,
    refused,
    search,
    stats,
    subsearch,
)
from mcp_splunk.sandbox.spl.commands.base import REGISTRY, Command, CommandInput, ParsedSearch, RunEnv

__all__ = ["REGISTRY", "Command", "CommandInput", "ParsedSearch", "RunEnv"]
