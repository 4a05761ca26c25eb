"""Who and where: ``user_agent_info`` (what the gateway received), ``whoami`` and ``get_server_info``."""

from __future__ import annotations

from typing import Any

from fastmcp.server.dependencies import get_context, get_http_headers

from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, NoParams, ToolOutput, read_only
from mcp_splunk.tools.outputs.platform import ConnectionInfo, Identity, ServerInfo

_SERVER_INFO_KEYS = (
    "serverName",
    "version",
    "build",
    "product_type",
    "os_name",
    "cpu_arch",
    "numberOfCores",
    "licenseState",
    "mode",
    "server_roles",
    "startup_time",
    "guid",
)


class UserAgentInfo(BaseTool):
    name = "user_agent_info"
    title = "What the gateway received"
    description = (
        "Diagnostics for this MCP connection, without contacting Splunk: the transport and protocol version, "
        "whether a stateful MCP session is in use, which X-Splunk-* headers arrived (names only, never values) "
        "and where this request's Splunk configuration came from (headers, session, or the server's defaults). "
        "Use it first when a call fails with a configuration error."
    )
    annotations = read_only(open_world=False)
    Params = NoParams
    Result = ConnectionInfo

    async def execute(self, params: NoParams) -> ToolOutput:
        ctx = get_context()
        request = await self.request_config()
        try:
            protocol = ctx.request_context.protocol_version if ctx.request_context else None
        except (AttributeError, LookupError, RuntimeError):
            protocol = None
        headers = get_http_headers()
        config = request.config
        data: dict[str, Any] = {
            "transport": ctx.transport or "in-memory",
            "protocol_version": protocol,
            "stateful_session": request.session_id is not None,
            "splunk_headers": list(request.headers.names) if request.headers else [],
            "config_source": request.source,
            "splunk_target": config.target if config else None,
            "splunk_auth": config.auth_kind if config else None,
            "correlation_id_sent": "x-session-id" in headers,
            "user_agent": headers.get("user-agent"),
            "config_error": request.error.message if request.error else None,
        }
        return ToolOutput(data)


class WhoAmI(BaseTool):
    name = "whoami"
    title = "Current Splunk identity"
    description = (
        "The Splunk user this request acts as: user name, real name, roles and capabilities, plus which Splunk "
        "(host, server name, version) answered. Use it to check which identity and rights the X-Splunk-* "
        "headers or the server defaults give you."
    )
    annotations = read_only()
    Params = NoParams
    Result = Identity

    async def execute(self, params: NoParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        context = await splunk.run(ops.current_context)
        info = await splunk.run(ops.server_info)
        capabilities = [str(c) for c in context.get("capabilities") or []]
        data: dict[str, Any] = {
            "username": context.get("username"),
            "realname": context.get("realname"),
            "roles": list(context.get("roles") or []),
            "capabilities": capabilities,
            "default_app": context.get("defaultApp"),
            "splunk_target": splunk.config.target,
            "server_name": info.get("serverName"),
            "splunk_version": info.get("version"),
        }
        return ToolOutput(data)


class GetServerInfo(BaseTool):
    name = "get_server_info"
    title = "Splunk server information"
    description = (
        "Facts about the Splunk server: name, version, build, product type, OS, CPU cores, licence state, "
        "mode and server roles. Use it to adapt SPL to the server's version or to check what you are "
        "connected to."
    )
    annotations = read_only()
    Params = NoParams
    Result = ServerInfo

    async def execute(self, params: NoParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        info = await splunk.run(ops.server_info)
        data = {key: info[key] for key in _SERVER_INFO_KEYS if key in info}
        data["splunk_target"] = splunk.config.target
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (UserAgentInfo, WhoAmI, GetServerInfo)
