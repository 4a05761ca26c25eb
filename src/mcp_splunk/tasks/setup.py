"""The tasks extension: its backend (in-process, or the shared Redis) and encryption of what it stores."""

from __future__ import annotations

from fastmcp import FastMCP

from mcp_splunk.settings import GatewaySettings


def install_tasks(mcp: FastMCP, gateway: GatewaySettings) -> None:
    """Add the tasks extension to ``mcp``; the tools that may run as tasks opt in themselves (``BaseTool.task``)."""
    from fastmcp_tasks import TasksExtension  # noqa: PLC0415 - importing it turns on every Client's tasks
    from fastmcp_tasks.settings import tasks_settings  # noqa: PLC0415 - as above

    # A task's stored snapshot holds the submitting request's headers, so its X-Splunk-* credentials: with the
    # shared backend they would sit in Redis, so there they are encrypted (settings refuse a URL without a key).
    # The setting is process-wide in fastmcp-tasks; every replica sets the same key.
    if gateway.state_encryption_key is not None:
        tasks_settings.encryption_key = gateway.state_encryption_key
    url = gateway.state_url.get_secret_value() if gateway.state_url is not None else "memory://"
    mcp.add_extension(TasksExtension(url=url, name=f"{gateway.state_key_prefix}-tasks"))
