"""The embedded sandbox Splunk: a splunkd-compatible REST server with sample data and a safe SPL subset.

It serves the management API the way splunklib 2.1 expects it (Atom XML reads, JSON results, form bodies
without a Content-Type, both job APIs), so the gateway, its demos and its tests run with no Splunk at all.
"""

from __future__ import annotations

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.runner import Sandbox, SandboxProcess
from mcp_splunk.sandbox.state import SandboxOptions

__all__ = ["Event", "Sandbox", "SandboxOptions", "SandboxProcess"]
