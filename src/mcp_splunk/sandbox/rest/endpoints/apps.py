"""apps/local: the apps a fresh Splunk Enterprise has, plus the sandbox's own; creating and deleting apps.

A new app is a namespace objects can be created in at once; deleting it deletes the objects that live in it,
as removing the app's directory does in splunkd. The stock apps cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from mcp_splunk.sandbox.data.confs import STOCK_APPS
from mcp_splunk.sandbox.objects import purge_app
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError, forbidden, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest, normalise_booleans
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

PATH = "apps/local"
_STOCK = frozenset(name for name, *_ in STOCK_APPS)
_SETTABLE = frozenset({"label", "visible", "author", "description", "version", "configured", "check_for_updates"})
_BOOLEANS = ("visible", "configured", "check_for_updates")
_APP_MANAGERS = ("admin_all_objects", "rest_apps_management")


def _entry(name: str, settings: dict[str, Any], version: str) -> Entry:
    content = {
        "author": "",
        "check_for_updates": False,
        "configured": True,
        "description": "",
        "disabled": False,
        "label": name,
        "state_change_requires_restart": False,
        "version": version,
        "visible": True,
        **settings,
    }
    acl = Acl(owner="system", app=name, sharing="app", write=("admin",), removable=name not in _STOCK)
    return Entry(name, PATH, content, acl, "system")


def _entries(state: SandboxState) -> list[Entry]:
    with state.config_lock:
        apps = [(name, dict(settings)) for name, settings in state.apps.items()]
    # The stock apps are versioned like the server, as Splunk's own bundled apps are.
    return [_entry(name, settings, state.options.version) for name, settings in apps]


def _changes(req: SplunkdRequest) -> dict[str, Any]:
    form = req.form(exclude=("output_mode", "name"))
    if unknown := sorted(k for k in form if k not in _SETTABLE):
        raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
    return normalise_booleans(form, _BOOLEANS)


def _require_manager(state: SandboxState, req: SplunkdRequest) -> None:
    user = req.require_user()
    if not state.accounts.capabilities(user) & set(_APP_MANAGERS):
        raise forbidden(user.name, _APP_MANAGERS[0])


def list_apps(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    return FeedReply(req.list_query().apply("localapps", PATH, _entries(state), create_link=True))


def get_app(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    for entry in _entries(state):
        if entry.name == params["name"]:
            return FeedReply(Feed("localapps", PATH, [entry]))
    raise not_found("localapps", params["name"])


def create_app(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require_manager(state, req)
    name = (req.get("name") or "").strip()
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise SplunkdError(400, "In handler 'localapps': Missing or invalid argument: name")
    settings = {"version": "1.0.0", "author": req.require_user().name, **_changes(req)}
    with state.config_lock:
        if name in state.apps:
            raise SplunkdError(409, f"In handler 'localapps': An app with name={name} already exists")
        state.apps[name] = settings
    return FeedReply(Feed("localapps", PATH, [_entry(name, settings, state.options.version)]), status=201)


def update_app(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require_manager(state, req)
    changes = _changes(req)
    with state.config_lock:
        settings = state.apps.get(params["name"])
        if settings is None:
            raise not_found("localapps", params["name"])
        settings.update(changes)
        updated = dict(settings)
    return FeedReply(Feed("localapps", PATH, [_entry(params["name"], updated, state.options.version)]))


def delete_app(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require_manager(state, req)
    name = params["name"]
    with state.config_lock:
        if name not in state.apps:
            raise not_found("localapps", name)
        if name in _STOCK:
            raise SplunkdError(400, f"In handler 'localapps': Cannot remove the built-in app {name}.")
        del state.apps[name]
    purge_app(state.knowledge_collections(), name)
    with state.kv_lock:
        for key in [k for k in state.kv_data if k[0] == name]:
            del state.kv_data[key]
    return FeedReply(Feed("localapps", PATH, []))


ROUTES = [
    *route("GET", PATH, list_apps),
    *route("POST", PATH, create_app),
    *route("GET", f"{PATH}/{{name}}", get_app),
    *route("POST", f"{PATH}/{{name}}", update_app),
    *route("DELETE", f"{PATH}/{{name}}", delete_app),
]
