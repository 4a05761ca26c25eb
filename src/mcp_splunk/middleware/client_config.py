"""``ClientConfigMiddleware``: one frozen ``SplunkConfig`` per MCP request, in the request's context state.

It runs for every request, not only on ``initialize`` (which 2026-07-28 clients never send). A config that
cannot be resolved is stored as an error rather than raised, so that listing tools or reading the gateway's own
resources still works; the error reaches the client when a tool needs Splunk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastmcp.server.context import Context
from fastmcp.server.dependencies import get_access_token, get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from mcp_splunk.errors import ConfigurationError, StateUnavailable
from mcp_splunk.http.header_capture import SPLUNK_HEADERS
from mcp_splunk.http.stateless_session_id import MINTED_SESSION_ID
from mcp_splunk.middleware.session_configs import SessionConfigs
from mcp_splunk.settings import SplunkDefaults
from mcp_splunk.splunk.config import HeaderParams, SplunkConfig, resolve_config
from mcp_splunk.state.bindings import SharedBindings

STATE_KEY = "mcp_splunk.request_config"
SESSIONLESS_PROTOCOL = "2026-07-28"  # from this revision on there are no MCP sessions at all


@dataclass(frozen=True, slots=True)
class RequestConfig:
    """What ``ClientConfigMiddleware`` established for one request."""

    config: SplunkConfig | None
    error: ConfigurationError | StateUnavailable | None
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


def shared_session(ctx: Context, method: str | None) -> tuple[str, str] | None:
    """(session id, verified principal) of a handshake-era request to a stateless server, for a binding shared by
    every replica; None for anonymous callers, sessionless clients and requests without a session."""
    token = get_access_token()
    if token is None or ctx.transport != "streamable-http":
        return None
    try:
        request = get_http_request()
    except RuntimeError:
        return None
    version = request.headers.get("mcp-protocol-version")
    if method != "initialize" and (not version or version >= SESSIONLESS_PROTOCOL):
        return None
    session_id = request.headers.get("mcp-session-id")
    if method == "initialize":  # its id is the one the gateway is about to answer with
        session_id = request.scope.get("state", {}).get(MINTED_SESSION_ID)
    return (session_id, token.client_id) if session_id else None


class ClientConfigMiddleware(Middleware):
    def __init__(
        self, defaults: SplunkDefaults, sessions: SessionConfigs, *, stateless: bool, shared: SharedBindings | None
    ) -> None:
        self.defaults = defaults
        self.sessions = sessions
        self.stateless = stateless
        self.shared = shared

    async def on_request(self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]) -> Any:
        ctx = context.fastmcp_context
        if ctx is not None:
            await ctx.set_state(STATE_KEY, await self.resolve(ctx, context.method), serializable=False)
        return await call_next(context)

    async def resolve(self, ctx: Context, method: str | None = None) -> RequestConfig:
        headers = SPLUNK_HEADERS.get()
        session_id = stateful_session_id(ctx, self.stateless)
        shared = shared_session(ctx, method) if self.shared is not None and self.stateless else None
        try:
            bound = self.sessions.get(session_id) if session_id else None
            if shared is not None and self.shared is not None and not (headers and headers.names):
                bound = await self.shared.get(*shared)
            config = resolve_config(headers, bound, self.defaults)
            if config.source == "headers" and session_id:
                self.sessions.bind(session_id, replace(config, source="session"))
            elif config.source == "headers" and shared is not None and self.shared is not None:
                await self.shared.bind(*shared, config)
        except (ConfigurationError, StateUnavailable) as exc:
            return RequestConfig(None, exc, headers, session_id)
        return RequestConfig(config, None, headers, session_id)
