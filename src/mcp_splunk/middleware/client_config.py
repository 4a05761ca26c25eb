"""``ClientConfigMiddleware``: one frozen ``SplunkConfig`` per MCP request, in the request's context state.

It runs for every request, not only on ``initialize`` (which 2026-07-28 clients never send). A config that
cannot be resolved is stored as an error rather than raised, so that listing tools or reading the gateway's own
resources still works; the error reaches the client when a tool needs Splunk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastmcp.server.context import Context
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk.errors import ConfigurationError
from mcp_splunk.http.header_capture import SPLUNK_HEADERS
from mcp_splunk.middleware.session_configs import SessionConfigs
from mcp_splunk.settings import SplunkDefaults
from mcp_splunk.splunk.config import HeaderParams, SplunkConfig, resolve_config

STATE_KEY = "mcp_splunk.request_config"
SESSIONLESS_PROTOCOL = "2026-07-28"  # from this revision on there are no MCP sessions at all


@dataclass(frozen=True, slots=True)
class RequestConfig:
    """What ``ClientConfigMiddleware`` established for one request."""

    config: SplunkConfig | None
    error: ConfigurationError | None
    headers: HeaderParams | None
    session_id: str | None  # the server-issued MCP session of a stateful handshake-era client, if any

    def require(self) -> SplunkConfig:
        if self.config is None:
            raise self.error or ConfigurationError("No Splunk is configured for this request.")
        return self.config

    @property
    def source(self) -> str:
        return self.config.source if self.config is not None else "none"


def stateful_session_id(ctx: Context, stateless: bool) -> str | None:
    """The server-issued session id, for a handshake-era client of a stateful server; else None."""
    if stateless:
        return None
    try:
        version = ctx.request_context.protocol_version if ctx.request_context else None
    except (AttributeError, LookupError, RuntimeError):
        return None
    if not version or version >= SESSIONLESS_PROTOCOL or ctx.transport != "streamable-http":
        return None
    return ctx.session_id


class ClientConfigMiddleware(Middleware):
    def __init__(self, defaults: SplunkDefaults, sessions: SessionConfigs, *, stateless: bool) -> None:
        self.defaults = defaults
        self.sessions = sessions
        self.stateless = stateless

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        ctx = context.fastmcp_context
        if ctx is not None:
            await ctx.set_state(STATE_KEY, self.resolve(ctx), serializable=False)
        return await call_next(context)

    def resolve(self, ctx: Context) -> RequestConfig:
        headers = SPLUNK_HEADERS.get()
        session_id = stateful_session_id(ctx, self.stateless)
        bound = self.sessions.get(session_id) if session_id else None
        try:
            config = resolve_config(headers, bound, self.defaults)
        except ConfigurationError as exc:
            return RequestConfig(None, exc, headers, session_id)
        if session_id and config.source == "headers":
            self.sessions.bind(session_id, replace(config, source="session"))
        return RequestConfig(config, None, headers, session_id)
