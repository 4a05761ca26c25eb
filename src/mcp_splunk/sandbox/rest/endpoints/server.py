"""auth/login, server/info, server/settings, server/health, authentication/current-context and messages."""

from __future__ import annotations

import hashlib
import os
import platform
from xml.sax.saxutils import escape

from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import BodyReply, FeedReply, Reply, SplunkdError, forbidden
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import HEALTH_COLOURS, SandboxState

_SYSTEM_ACL = Acl(owner="system", app="", sharing="system", write=(), can_write=False, modifiable=False)


def login(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    user = state.accounts.check_password(req.get("username") or "", req.get("password") or "")
    if user is None:
        raise SplunkdError(401, "Login failed", "WARN")
    key = state.accounts.login(user)
    cookies = [_session_cookie(req, key, state.options.session_timeout)] if req.flag("cookie") else []
    if req.json_mode:
        body = f'{{"sessionKey":"{key}","message":"","code":""}}'
        return BodyReply(200, body.encode(), "application/json; charset=UTF-8", cookies)
    # Byte-for-byte the shape of a real login response (no XML declaration).
    return BodyReply(
        200,
        f"<response>\n  <sessionKey>{escape(key)}</sessionKey>\n</response>\n".encode(),
        "text/xml; charset=UTF-8",
        cookies,
    )


def _session_cookie(req: SplunkdRequest, key: str, lifetime: float) -> tuple[str, str]:
    """``cookie=1`` asks splunkd for a ``splunkd_<port>`` session cookie (splunklib always asks, then sends
    the cookie instead of the Authorization header)."""
    port = req.base_url.rsplit(":", 1)[-1]
    secure = "; Secure" if req.base_url.startswith("https:") else ""
    return "Set-Cookie", f"splunkd_{port}={key}; Path=/; Max-Age={int(lifetime)}; HttpOnly{secure}"


def server_info(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    opts = state.options
    content = {
        "activeLicenseGroup": "Enterprise",
        "build": "a5d2cb4f0f3f",
        "cpu_arch": platform.machine() or "x86_64",
        "guid": state.guid,
        "host": opts.server_name,
        "host_fqdn": opts.server_name,
        "isFree": False,
        "isTrial": False,
        "kvStoreStatus": "ready",
        # Stable stand-ins shaped like splunkd's: a 64-hex key and a 32-hex signature, derived from the guid.
        "licenseKeys": [hashlib.sha256(f"license/{state.guid}".encode()).hexdigest().upper()],
        "licenseSignature": hashlib.md5(f"signature/{state.guid}".encode(), usedforsecurity=False).hexdigest(),
        "licenseState": "OK",
        "license_labels": ["Splunk Enterprise (sandbox)"],
        "master_guid": state.guid,
        "mode": "normal",
        "numberOfCores": os.cpu_count() or 1,
        "numberOfVirtualCores": os.cpu_count() or 1,
        "os_build": "sandbox",
        "os_name": "Linux",
        "os_version": platform.release(),
        "product_type": "enterprise",
        "rtsearch_enabled": True,
        "serverName": opts.server_name,
        "server_roles": ["indexer", "search_head", "kv_store", "license_manager"],
        "startup_time": int(state.started),
        "version": opts.version,
    }
    entry = Entry("server-info", "server/info", content, _SYSTEM_ACL, "system", namespaced=False)
    return FeedReply(Feed("server-info", "server/info", [entry], per_page=30))


_SETTINGS = frozenset(
    {
        "SPLUNK_DB",
        "enableSplunkWebSSL",
        "host",
        "httpport",
        "mgmtHostPort",
        "minFreeSpace",
        "serverName",
        "sessionTimeout",
        "startwebserver",
        "trustedIP",
    }
)


def server_settings(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    """server/settings: read with ``list_settings``, changed with ``edit_server`` (splunklib posts to
    server/settings/settings)."""
    user = req.require_user()
    needed = "edit_server" if req.method == "POST" else "list_settings"
    if needed not in state.accounts.capabilities(user):
        raise forbidden(user.name, needed)
    with state.config_lock:
        if req.method == "POST":
            changes = req.form()
            if unknown := sorted(set(changes) - _SETTINGS):
                raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
            state.server_settings.update(changes)
        content = dict(state.server_settings)
    acl = Acl(owner="nobody", app="system", sharing="system", write=("admin",))
    entry = Entry("settings", "server/settings", content, acl, "system", namespaced=False)
    return FeedReply(Feed("settings", "server/settings", [entry]))


def health(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    features: dict[str, object] = {}
    for feature, (colour, reason) in state.health.items():
        detail: dict[str, object] = {
            "health": colour,
            "num_red": int(colour == "red"),
            "num_yellow": int(colour == "yellow"),
        }
        if reason:
            detail["reasons"] = {"cause": reason}
        features[feature] = detail
    overall = max((colour for colour, _ in state.health.values()), key=HEALTH_COLOURS.index, default="green")
    content: dict[str, object] = {"health": overall}
    if params.get("details"):
        content["features"] = features
    name = "details" if params.get("details") else "splunkd"
    path = "server/health/splunkd"
    entry = Entry(name, path, content, _SYSTEM_ACL, "system", namespaced=False)
    return FeedReply(Feed("splunkd", path, [entry]))


def current_context(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    user = req.require_user()
    accounts = state.accounts
    content = {
        "username": user.name,
        "realname": user.realname,
        "email": user.email,
        "roles": list(user.roles),
        "capabilities": sorted(accounts.capabilities(user)),
        "defaultApp": user.default_app,
        "tz": "",
        "type": "Splunk",
        "lockedOut": False,
        "search_indexes_allowed": sorted(state.searchable_indexes(user)),
    }
    acl = Acl(owner=user.name, app="", sharing="system", can_write=False)
    entry = Entry("context", "authentication/current-context", content, acl, "system", namespaced=False)
    return FeedReply(Feed("context", "authentication/current-context", [entry]))


def messages(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    return FeedReply(req.list_query().apply("messages", "messages", []))


def _health_details(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    return health(state, req, {"details": "1"})


ROUTES = [
    *route("POST", "auth/login", login, authenticated=False),
    *route("GET", "server/info", server_info),
    *route("GET", "server/info/server-info", server_info),
    *route("GET", "server/settings", server_settings),
    *route("GET POST", "server/settings/settings", server_settings),
    *route("GET", "server/health/splunkd", health),
    *route("GET", "server/health/splunkd/details", _health_details),
    *route("GET", "authentication/current-context", current_context),
    *route("GET", "authentication/current-context/context", current_context),
    *route("GET", "messages", messages),
]
