"""The request's Splunk, bound to the connection pool: what tools, resources and completions talk to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastmcp.server.dependencies import get_context

from mcp_splunk.errors import ConfigurationError
from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.pool import ConnectionPool

T = TypeVar("T")


class SplunkClient:
    def __init__(self, pool: ConnectionPool, config: SplunkConfig) -> None:
        self.pool = pool
        self.config = config

    async def run(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a ``splunk`` operation function with this identity's pooled service, off the event loop."""
        return await self.pool.run(self.config, operation, *args, **kwargs)


async def request_config() -> RequestConfig:
    """What ``ClientConfigMiddleware`` established for the current MCP request."""
    found = await get_context().get_state(STATE_KEY)
    if isinstance(found, RequestConfig):
        return found
    return RequestConfig(None, ConfigurationError("No Splunk configuration reached this request."), None, None)


async def current_splunk(pool: ConnectionPool) -> SplunkClient:
    """The pooled Splunk connection for the current request's config."""
    return SplunkClient(pool, (await request_config()).require())
