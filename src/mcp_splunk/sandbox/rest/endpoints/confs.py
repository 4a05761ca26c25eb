"""configs/conf-<file> and properties: the sandbox's .conf files, read and written.

Files that mirror knowledge objects (macros, savedsearches, transforms, collections, eventtypes) are the live
objects, so a saved search created over REST shows up in conf-savedsearches, and a macro created through
conf-macros expands in searches; writes to them follow the objects' sharing rules. indexes and authorize are
derived from the indexes and roles (change those through data/indexes and authorization/roles). Other files,
stock or created with ``properties``, are plain stanzas that need ``admin_all_objects`` to change.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mcp_splunk.sandbox.data.confs import STATIC_CONFS, Stanzas
from mcp_splunk.sandbox.objects import ObjectCollection
from mcp_splunk.sandbox.rest.endpoints.indexes import db_directory
from mcp_splunk.sandbox.rest.endpoints.knowledge import object_entry
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError, forbidden, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

# STATIC_CONFS is re-exported: the gateway's tests compare its configuration tools against the stock files.
__all__ = ["ROUTES", "STATIC_CONFS", "conf_files"]
# Reading these needs list_settings, as splunkd's server-wide settings do.
_RESTRICTED = frozenset({"server", "web", "authentication", "authorize", "alert_actions"})
_SYSTEM = Acl(owner="nobody", app="system", sharing="system", write=("admin",), removable=False)
_DERIVED: dict[str, str] = {
    "macros": "macros",
    "savedsearches": "saved_searches",
    "transforms": "lookup_definitions",
    "collections": "kv_collections",
    "eventtypes": "eventtypes",
}


def _derived_from_state(state: SandboxState) -> dict[str, Callable[[], Stanzas]]:
    return {
        "indexes": lambda: {
            name: {
                "homePath": f"$SPLUNK_DB/{db_directory(name)}/db",
                "coldPath": f"$SPLUNK_DB/{db_directory(name)}/colddb",
                "thawedPath": f"$SPLUNK_DB/{db_directory(name)}/thaweddb",
            }
            for name in state.indexes
        },
        "authorize": lambda: {
            f"role_{r.name}": {
                "importRoles": ";".join(r.imported_roles),
                "srchIndexesAllowed": ";".join(r.indexes_allowed),
                "srchIndexesDefault": ";".join(r.indexes_default),
                **dict.fromkeys(sorted(r.capabilities), "enabled"),
            }
            for r in state.accounts.roles()
        },
    }


def _stanza_entries(state: SandboxState, req: SplunkdRequest, name: str) -> list[Entry]:
    path = f"configs/conf-{name}"
    user = req.require_user()
    if name in _RESTRICTED and "list_settings" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "list_settings")
    if name in _DERIVED:
        return [object_entry(o, path) for o in _collection(state, name).visible(user, req.namespace())]
    computed = _derived_from_state(state)
    with state.config_lock:
        stored = state.confs.get(name)
        stanzas = computed[name]() if name in computed else {k: dict(v) for k, v in (stored or {}).items()}
    if name not in computed and stored is None:
        raise not_found(f"conf-{name}", name)
    return [
        Entry(s, path, {"disabled": False, "eai:appName": "system", **values}, _SYSTEM, "nobody")
        for s, values in stanzas.items()
    ]


def _collection(state: SandboxState, name: str) -> ObjectCollection:
    found: ObjectCollection = getattr(state, _DERIVED[name])
    return found


def conf_files(state: SandboxState) -> list[str]:
    with state.config_lock:
        return sorted({*state.confs, *_DERIVED, *_derived_from_state(state)})


def list_stanzas(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    entries = _stanza_entries(state, req, name)
    return FeedReply(req.list_query().apply(f"conf-{name}", f"configs/conf-{name}", entries, create_link=True))


def get_stanza(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    found = [e for e in _stanza_entries(state, req, name) if e.name == params["stanza"]]
    if not found:
        raise not_found(f"conf-{name}", params["stanza"])
    return FeedReply(Feed(f"conf-{name}", f"configs/conf-{name}", found))


def list_files(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    entries = [Entry(f, "properties", {}, _SYSTEM, "nobody") for f in conf_files(state)]
    return FeedReply(req.list_query().apply("properties", "properties", entries))


def list_file_stanzas(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    if name not in conf_files(state):
        raise not_found("properties", name)
    entries = [Entry(e.name, f"properties/{name}", {}, _SYSTEM, "nobody") for e in _stanza_entries(state, req, name)]
    return FeedReply(req.list_query().apply(name, f"properties/{name}", entries))


# -- writes ----------------------------------------------------------------------------------------------
def _plain_file(state: SandboxState, req: SplunkdRequest, name: str) -> Stanzas:
    """The stored stanzas of a plain file, once the caller may change it (call with ``config_lock`` held)."""
    if name in _derived_from_state(state):
        source = "data/indexes" if name == "indexes" else "authorization/roles"
        raise SplunkdError(400, f"The sandbox derives {name}.conf from {source}; change it there.")
    user = req.require_user()
    if "admin_all_objects" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "admin_all_objects")
    stanzas = state.confs.get(name)
    if stanzas is None:
        raise not_found("properties", name)
    return stanzas


def _values(req: SplunkdRequest, *exclude: str) -> dict[str, str]:
    return req.form(exclude=("output_mode", *exclude))


def create_file(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    """``POST properties __conf=<file>``: an empty conf file (splunklib's ``confs.create``)."""
    name = (req.get("__conf") or "").strip()
    if not name or "/" in name:
        raise SplunkdError(400, "In handler 'properties': Missing or invalid argument: __conf")
    user = req.require_user()
    if "admin_all_objects" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "admin_all_objects")
    with state.config_lock:
        if name not in conf_files(state):
            state.confs[name] = {}
    return FeedReply(Feed("properties", "properties", [Entry(name, "properties", {}, _SYSTEM, "nobody")]), 201)


def create_stanza(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name, stanza = params["file"], (req.get("name") or req.get("__stanza") or "").strip()
    if not stanza:
        raise SplunkdError(400, f"In handler 'conf-{name}': Missing argument: name")
    values = _values(req, "name", "__stanza")
    if name in _DERIVED:
        _collection(state, name).create(stanza, req.require_user(), req.namespace(), values, time.time())
    else:
        with state.config_lock:
            stanzas = _plain_file(state, req, name)
            if stanza in stanzas:
                raise SplunkdError(409, f"In handler 'conf-{name}': An object with name={stanza} already exists")
            stanzas[stanza] = values
    found = [e for e in _stanza_entries(state, req, name) if e.name == stanza]
    return FeedReply(Feed(f"conf-{name}", f"configs/conf-{name}", found[:1]), status=201)


def update_stanza(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name, stanza = params["file"], params["stanza"]
    values = _values(req)
    if name in _DERIVED:
        user, ns = req.require_user(), req.namespace()
        _collection(state, name).update(stanza, user, ns, lambda c: c.update(values), time.time())
    else:
        with state.config_lock:
            stanzas = _plain_file(state, req, name)
            if stanza not in stanzas:
                raise not_found(f"conf-{name}", stanza)
            stanzas[stanza].update(values)
    return get_stanza(state, req, params)


def delete_stanza(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name, stanza = params["file"], params["stanza"]
    if name in _DERIVED:
        _collection(state, name).delete(stanza, req.require_user(), req.namespace())
    else:
        with state.config_lock:
            if _plain_file(state, req, name).pop(stanza, None) is None:
                raise not_found(f"conf-{name}", stanza)
    return FeedReply(Feed(f"conf-{name}", f"configs/conf-{name}", []))


def set_properties(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    """``POST properties/<file>`` with ``__stanza`` creates a stanza; ``properties/<file>/<stanza>`` sets keys."""
    if "stanza" not in params:
        return create_stanza(state, req, params)
    update_stanza(state, req, params)
    return FeedReply(Feed(params["stanza"], f"properties/{params['file']}", []))


ROUTES = [
    *route("GET", "configs/conf-{file}", list_stanzas),
    *route("POST", "configs/conf-{file}", create_stanza),
    *route("GET", "configs/conf-{file}/{stanza}", get_stanza),
    *route("POST", "configs/conf-{file}/{stanza}", update_stanza),
    *route("DELETE", "configs/conf-{file}/{stanza}", delete_stanza),
    *route("GET", "properties", list_files),
    *route("POST", "properties", create_file),
    *route("GET", "properties/{file}", list_file_stanzas),
    *route("POST", "properties/{file}", set_properties),
    *route("POST", "properties/{file}/{stanza}", set_properties),
]
