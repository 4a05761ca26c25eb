"""What ``BaseTool.get_splunk_service()`` hands a tool: the request's config bound to the connection pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.pool import ConnectionPool

T = TypeVar("T")


class SplunkClient:
    def __init__(self, pool: ConnectionPool, config: SplunkConfig) -> None:
        self.pool = pool
        self.config = config

    async def run(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a ``splunk.operations`` function with this identity's pooled service, off the event loop."""
        return await self.pool.run(self.config, operation, *args, **kwargs)
