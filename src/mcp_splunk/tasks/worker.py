"""A tool body running as a task: the request it runs for is the one that created the task.

The task runs in a worker, outside any MCP request, so ``ClientConfigMiddleware`` never ran for it. Its Splunk
configuration is resolved again, the same way, from the submitting request's headers, which fastmcp-tasks
restores from the task's snapshot (encrypted when stored in Redis).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastmcp.server.dependencies import get_http_headers

from mcp_splunk.errors import ConfigurationError
from mcp_splunk.http.splunk_headers import parse_splunk_headers
from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.settings import Settings
from mcp_splunk.splunk.config import resolve_config


def _submitted_config(settings: Settings) -> RequestConfig:
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in get_http_headers(True).items()]
    try:
        headers = parse_splunk_headers(raw)
        return RequestConfig(resolve_config(headers, None, settings.splunk), None, headers, None)
    except ConfigurationError as exc:
        return RequestConfig(None, exc, None, None)


@asynccontextmanager
async def task_request(settings: Settings) -> AsyncIterator[None]:
    """Around a tool body: nothing for an ordinary call; in a task's worker, the task's own request context."""
    if not settings.gateway.tasks:
        yield
        return
    from fastmcp_tasks.context import get_task_context, make_task_context  # noqa: PLC0415 - only with tasks on

    if get_task_context() is None:
        yield
        return
    ctx = await make_task_context()
    if ctx is None:  # get_task_context() said this is a task: the factory builds one for it
        raise RuntimeError("fastmcp-tasks gave no context for a running task")
    try:
        await ctx.set_state(STATE_KEY, _submitted_config(settings), serializable=False)
        yield
    finally:
        await ctx.__aexit__(None, None, None)
