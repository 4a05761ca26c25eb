"""A task belongs to the Splunk identity that created it: another caller can neither read nor cancel it.

fastmcp-tasks scopes tasks by the gateway's own access token, so without gateway auth every caller shares one
scope, although each acts as its own Splunk identity (X-Splunk-* headers). This middleware records, for each task
created, a keyed fingerprint of the creating request's Splunk configuration, and answers ``tasks/get``,
``tasks/update`` and ``tasks/cancel`` from any other identity exactly as for an unknown task. With the shared
Redis the record lives there, keyed with the state encryption key, so a task is polled through any replica.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cachetools import TTLCache
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS
from redis.asyncio import Redis
from redis.exceptions import RedisError

from mcp_splunk.middleware.client_config import STATE_KEY, RequestConfig
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.state.rate_limits import REDIS_TIMEOUT

TASK_METHODS = frozenset({"tasks/get", "tasks/update", "tasks/cancel"})
_MAX_TASKS = 100_000
_KEEP_SECONDS = 24 * 3600  # longer than any task lives (fastmcp-tasks keeps a finished one 15 minutes)


class TaskOwnership(Middleware):
    """Runs after ``ClientConfigMiddleware``, whose request config names the caller."""

    def __init__(self, gateway: GatewaySettings) -> None:
        self.local: TTLCache[str, str] = TTLCache(maxsize=_MAX_TASKS, ttl=_KEEP_SECONDS)
        self.url = gateway.state_url.get_secret_value() if gateway.state_url is not None else None
        self.prefix = f"{gateway.state_key_prefix}:task-owner:"
        self.key: bytes | None = None  # None: this process's own fingerprint key
        if self.url is not None and gateway.state_encryption_key is not None:
            secret = gateway.state_encryption_key.get_secret_value().encode()
            self.key = hashlib.sha256(b"mcp-splunk task owner\0" + secret).digest()
        self._redis: Redis | None = None

    @property
    def redis(self) -> Redis | None:
        # Made on first use, inside the serving event loop that its connections then belong to.
        if self.url is not None and self._redis is None:
            self._redis = Redis.from_url(self.url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        return self._redis

    async def _owner(self, context: MiddlewareContext[Any]) -> str:
        ctx = context.fastmcp_context
        found = await ctx.get_state(STATE_KEY) if ctx is not None else None
        if not isinstance(found, RequestConfig) or found.config is None:
            return ""  # no Splunk identity: such a task fails at once, and only identity-less callers see it
        return found.config.fingerprint(self.key) if self.key else found.config.fingerprint()

    async def _record(self, task_id: str, owner: str) -> None:
        if self.redis is None:
            self.local[task_id] = owner
        else:
            await self.redis.set(self.prefix + task_id, owner, ex=_KEEP_SECONDS)

    async def _recorded(self, task_id: str) -> str | None:
        if self.redis is None:
            return self.local.get(task_id)
        try:
            found = await self.redis.get(self.prefix + task_id)
        except RedisError:
            return None  # closed: a task whose owner cannot be checked is nobody's
        return found.decode() if isinstance(found, bytes) else None

    async def on_call_tool(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        result = await call_next(context)
        if getattr(result, "result_type", None) == "task":  # the tasks extension ran the call as a task
            await self._record(result.task_id, await self._owner(context))
        return result

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        if context.method in TASK_METHODS:
            params = context.message  # the raw params: extension methods reach middleware unparsed
            task_id = str(params.get("taskId", "")) if isinstance(params, dict) else ""
            if await self._recorded(task_id) != await self._owner(context):
                # The words fastmcp-tasks uses for an unknown task: another caller's task ids cannot be probed.
                raise MCPError(code=INVALID_PARAMS, message=f"Task {task_id} not found")
        return await call_next(context)
