"""The gateway's composition root: settings → pool, session store, FastMCP server with middleware and tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastmcp import FastMCP
from fastmcp.server.middleware import Middleware as McpMiddleware
from starlette.middleware import Middleware

from mcp_splunk import __version__
from mcp_splunk.auth import build_auth, is_loopback
from mcp_splunk.completions import register_completions
from mcp_splunk.http.error_answers import ErrorAnswerMiddleware
from mcp_splunk.http.header_capture import HeaderCaptureMiddleware
from mcp_splunk.http.health import DrainState, HealthMiddleware
from mcp_splunk.http.host_authority import HostAuthorityMiddleware
from mcp_splunk.http.metrics import MetricsEndpoint, scrape_authorizer
from mcp_splunk.http.session_release import SessionReleaseMiddleware
from mcp_splunk.http.stateless_session_id import StatelessSessionIdMiddleware
from mcp_splunk.middleware.audit import AuditMiddleware, AuditSink
from mcp_splunk.middleware.client_config import ClientConfigMiddleware
from mcp_splunk.middleware.metrics import MetricsMiddleware
from mcp_splunk.middleware.rate_limit import RateLimitMiddleware
from mcp_splunk.middleware.request_info import configure_trusted_proxies
from mcp_splunk.middleware.session_configs import SessionConfigs
from mcp_splunk.middleware.toolsets import ToolsetsMiddleware
from mcp_splunk.observability.metrics import GatewayMetrics
from mcp_splunk.observability.tracing import export_traces
from mcp_splunk.prompts import register_prompts
from mcp_splunk.resources import register_resources
from mcp_splunk.settings import Settings
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.state import Outage, build_rate_limiter, shared_bindings
from mcp_splunk.tasks import TaskOwnership, install_tasks
from mcp_splunk.tools.base import ToolDeps
from mcp_splunk.tools.guard import SplGuard
from mcp_splunk.tools.registry import TOOLS, TOOLSET_OF, register_tools

INSTRUCTIONS = (
    "Tools for working with Splunk: searching (run_search, then get_search_results to page), discovering "
    "indexes, and reading knowledge objects. Which Splunk and which identity is decided per request by the "
    "X-Splunk-* HTTP headers, or the server's defaults; call user_agent_info or whoami to check."
)


@dataclass
class Gateway:
    settings: Settings
    mcp: FastMCP
    pool: ConnectionPool
    sessions: SessionConfigs
    audit: AuditSink | None = None
    metrics: GatewayMetrics | None = None
    state: Outage | None = None  # the shared state's (MCP_SPLUNK_STATE_URL) last known reachability
    drain: DrainState = field(init=False)  # set by the first SIGTERM or SIGINT; /health then answers 503

    def __post_init__(self) -> None:
        self.drain = DrainState(self.settings.gateway.drain_seconds)

    def health(self) -> dict[str, object]:
        # Never touches Splunk: a load balancer's probe must not depend on any Splunk being up.
        gateway = self.settings.gateway
        return {
            "version": __version__,
            "stateless": gateway.stateless,
            "pooled_connections": len(self.pool),
            "bound_sessions": len(self.sessions),
            # Reported, never a reason for 503: every replica shares the one Redis, so none is better to route to.
            "shared_state": self.state.status() if self.state is not None else "off",
        }

    def http_app(self) -> Any:
        gateway = self.settings.gateway
        middleware = [
            Middleware(HeaderCaptureMiddleware),
            Middleware(ErrorAnswerMiddleware),
            Middleware(SessionReleaseMiddleware, release=self.sessions.release),
        ]
        if gateway.stateless:
            middleware.append(Middleware(StatelessSessionIdMiddleware))
        app = self.mcp.http_app(
            path=gateway.path,
            middleware=middleware,
            stateless_http=gateway.stateless,
            # SSE responses: with JSON responses progress notifications never reach the client.
            json_response=False,
            session_idle_timeout=gateway.session_idle_seconds,
            # DNS-rebinding protection: 421 for a Host, 403 for a browser Origin the operator did not allow.
            host_origin_protection=True,
            allowed_hosts=sorted(gateway.allowed_hosts | public_host(gateway.public_url)),
            allowed_origins=sorted(gateway.allowed_origins),
        )
        # Ahead of FastMCP's Host/Origin guard, behind the authority check added next: a balancer probes /health
        # with a Host of its own, which the guard answers 421.
        app.add_middleware(HealthMiddleware, drain=self.drain, details=self.health)
        if self.metrics is not None:  # a scraper, too, addresses each replica by a Host of its own
            token = gateway.metrics_token.get_secret_value() if gateway.metrics_token else None
            authorize, hint = scrape_authorizer(token, self.mcp.auth)
            app.add_middleware(MetricsEndpoint, registry=self.metrics.registry, authorize=authorize, hint=hint)
        # FastMCP puts its Host/Origin guard ahead of the middleware passed in, so the authority check is added
        # outermost instead: a malformed Host is a 400 before that guard's lenient match can let it through.
        app.add_middleware(HostAuthorityMiddleware)
        return app

    def close(self) -> None:
        self.pool.close()
        if self.audit is not None:
            self.audit.close()


def public_host(public_url: str | None) -> set[str]:
    """The operator's public origin (MCP_SPLUNK_PUBLIC_URL) as a Host pattern: clients reach the gateway by it."""
    host = urlsplit(public_url).hostname if public_url else None
    return {host} if host else set()


def _middleware(
    settings: Settings,
    sessions: SessionConfigs,
    audit: AuditSink | None,
    metrics: GatewayMetrics | None,
    state: Outage | None,
) -> list[McpMiddleware]:
    """MCP-layer middleware, outermost first: config for every request, then audit, the client's toolsets (a call
    outside them is audited, but not counted against the rate limit), then rate limiting."""
    gateway = settings.gateway
    chain: list[McpMiddleware] = [
        MetricsMiddleware(metrics),  # outermost: it counts and times every call, rate-limited ones included
        ClientConfigMiddleware(
            settings.splunk, sessions, stateless=gateway.stateless, shared=shared_bindings(gateway, state)
        ),
    ]
    if audit is not None:
        chain.append(AuditMiddleware(audit, include_spl=gateway.audit_spl))
    chain.append(ToolsetsMiddleware(TOOLSET_OF))
    if gateway.tasks:  # after the config middleware: a task's owner is the identity that created it
        chain.append(TaskOwnership(gateway))
    per_minute = gateway.rate_limit_per_minute
    if per_minute is None:
        per_minute = 0 if is_loopback(gateway.host) else 120
    if per_minute > 0:
        url = gateway.state_url.get_secret_value() if gateway.state_url else None
        limiter = build_rate_limiter(
            per_minute,
            gateway.rate_limit_burst,
            url=url,
            prefix=gateway.state_key_prefix,
            outage=state,
        )
        chain.append(RateLimitMiddleware(limiter))
    return chain


def create_gateway(settings: Settings | None = None) -> Gateway:
    settings = settings or Settings()
    gateway = settings.gateway
    configure_trusted_proxies(gateway.trusted_proxies)
    if gateway.traces == "otlp":
        export_traces()
    metrics = GatewayMetrics(tool.name for tool in TOOLS) if gateway.metrics and gateway.transport == "http" else None
    # One view of the shared state for the rate limiter and the session bindings: an outage seen by either is the
    # outage /health reports, and both retry on the same schedule.
    state = Outage(gateway.state_failure) if gateway.state_url else None
    audit = AuditSink.open(gateway.audit_log)
    pool = ConnectionPool(gateway, observe=metrics.observe_splunk if metrics else None)
    sessions = SessionConfigs(max_size=gateway.session_cache_size, idle_seconds=gateway.session_idle_seconds)
    if metrics is not None:
        _watch_sizes(metrics, pool, sessions)
    mcp = FastMCP(
        "mcp-splunk",
        version=__version__,
        instructions=INSTRUCTIONS,
        middleware=_middleware(settings, sessions, audit, metrics, state),
        mask_error_details=True,
        auth=build_auth(gateway),
    )
    if gateway.tasks:
        install_tasks(mcp, gateway)
    deps = ToolDeps(settings, pool, SplGuard(gateway))
    register_tools(mcp, deps)
    register_resources(mcp, deps)
    register_prompts(mcp)
    register_completions(mcp, pool)
    return Gateway(settings, mcp, pool, sessions, audit, metrics, state)


def _watch_sizes(metrics: GatewayMetrics, pool: ConnectionPool, sessions: SessionConfigs) -> None:
    metrics.gauge("mcp_splunk_splunk_sessions", "Pooled Splunk sessions (one per identity and target).", pool.__len__)
    metrics.gauge("mcp_splunk_mcp_sessions", "MCP sessions with a Splunk configuration bound.", sessions.__len__)
    metrics.gauge(
        "mcp_splunk_splunk_workers_busy",
        "Worker threads running a Splunk call now.",
        lambda: pool.limiter.borrowed_tokens,
    )
    metrics.gauge(
        "mcp_splunk_splunk_workers",
        "Worker threads for Splunk calls (MCP_SPLUNK_WORKER_THREADS).",
        lambda: pool.limiter.total_tokens,
    )
