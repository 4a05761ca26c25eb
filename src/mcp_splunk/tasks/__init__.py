"""MCP tasks (``io.modelcontextprotocol/tasks``) for long searches, on ``fastmcp-tasks``.

A 2026-07-28 client that declares the tasks extension may run ``run_search``, ``run_saved_search`` and
``export_search`` as tasks: the call returns a task id at once, and the client polls (``tasks/get``), cancels
(``tasks/cancel``, which cancels the Splunk job as cancelling the call would) and reads the result. Other clients
keep the synchronous call with progress. Off unless the operator sets ``MCP_SPLUNK_TASKS=true``.

``fastmcp_tasks`` is imported only when tasks are on: importing it also switches on task support in every
FastMCP ``Client`` of the process.
"""

from __future__ import annotations

from mcp_splunk.tasks.ownership import TaskOwnership
from mcp_splunk.tasks.setup import install_tasks
from mcp_splunk.tasks.worker import task_request

__all__ = ["TaskOwnership", "install_tasks", "task_request"]
