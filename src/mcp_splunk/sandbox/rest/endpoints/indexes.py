"""data/indexes: configuration keys plus counts, size and time bounds computed from the indexed events, and
creating, updating and deleting indexes (``indexes_edit``).

Users see only the indexes their roles let them search; the others answer 404 as if they did not exist. A
created index is searchable at once and keeps the settings it was created with; a deleted one is gone from
every listing and search.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from mcp_splunk.sandbox.indexes import Index
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError, forbidden, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest, boolean
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

_MB = 1024 * 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PERMANENT = frozenset({"main", "_internal", "_audit", "history", "summary"})
_NUMBERS = frozenset({"maxTotalDataSizeMB", "frozenTimePeriodInSecs", "maxHotBuckets", "maxWarmDBCount"})
_STRINGS = frozenset({"homePath", "coldPath", "thawedPath", "maxDataSize", "datatype", "coldToFrozenDir"})
_FLAGS = frozenset({"disabled", "enableOnlineBucketRepair", "enableDataIntegrityControl"})


# The directories a stock indexes.conf gives the default indexes; others are named after the index.
_DB_DIRS = {
    "main": "defaultdb",
    "_internal": "_internaldb",
    "_audit": "audit",
    "history": "historydb",
    "summary": "summarydb",
}


def db_directory(name: str) -> str:
    return _DB_DIRS.get(name, name)


def _bound(epoch: float | None) -> str | None:
    # splunkd writes minTime/maxTime with a colon-less offset (2014-06-28T07:01:38-0700), unlike its other dates.
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S%z") if epoch is not None else None


def index_entry(index: Index) -> Entry:
    summary = index.summary()
    directory = db_directory(index.name)
    db, expanded = f"$SPLUNK_DB/{directory}", f"/opt/splunk/var/lib/splunk/{directory}"
    content = {
        "assureUTF8": False,
        "coldPath": f"{db}/colddb",
        "coldPath_expanded": f"{expanded}/colddb",
        "currentDBSizeMB": math.ceil(summary.size_bytes / _MB) if summary.size_bytes else 0,
        "datatype": "event",
        "defaultDatabase": "main",
        "disabled": False,
        "frozenTimePeriodInSecs": 188697600,
        "homePath": f"{db}/db",
        "homePath_expanded": f"{expanded}/db",
        "isInternal": index.internal,
        "isReady": True,
        "maxDataSize": "auto",
        "maxTime": _bound(summary.max_time),
        "maxTotalDataSizeMB": 500000,
        "minTime": _bound(summary.min_time),
        "thawedPath": f"{db}/thaweddb",
        "thawedPath_expanded": f"{expanded}/thaweddb",
        "totalEventCount": summary.event_count,
        **index.settings,
    }
    acl = Acl(
        owner="nobody",
        app="system" if index.internal else "search",
        sharing="system" if index.internal else "app",
        write=("admin",),
    )
    return Entry(index.name, "data/indexes", content, acl, "nobody")


def _visible(state: SandboxState, req: SplunkdRequest) -> list[Index]:
    allowed = set(state.searchable_indexes(req.require_user()))
    return [index for name, index in state.indexes.items() if name in allowed]


def list_indexes(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    entries = [index_entry(i) for i in _visible(state, req)]
    return FeedReply(req.list_query().apply("indexes", "data/indexes", entries, create_link=True))


def get_index(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    for index in _visible(state, req):
        if index.name == params["name"]:
            return FeedReply(Feed("indexes", "data/indexes", [index_entry(index)]))
    raise not_found("indexes", params["name"])


def _settings(req: SplunkdRequest) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, value in req.form(exclude=("output_mode", "name")).items():
        if key in _NUMBERS:
            settings[key] = req.int_param(key, 0)
        elif key in _FLAGS:
            settings[key] = boolean(key, value)
        elif key in _STRINGS:
            settings[key] = value
        else:
            raise SplunkdError(400, f'Argument "{key}" is not supported by this handler.')
    if settings.get("datatype", "event") not in ("event", "metric"):
        raise SplunkdError(400, "Argument 'datatype' must be event or metric.")
    return settings


def _require_edit(state: SandboxState, req: SplunkdRequest) -> None:
    user = req.require_user()
    if "indexes_edit" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "indexes_edit")


def create_index(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require_edit(state, req)
    name = req.get("name") or ""
    if not _NAME.fullmatch(name):
        raise SplunkdError(
            400,
            "In handler 'indexes': Index name must contain only lowercase letters, numbers, underscores and hyphens, "
            f"and begin with a letter or number; got '{name[:64]}'.",
        )
    index = Index(name, settings=_settings(req))
    with state.config_lock:
        if name in state.indexes:
            raise SplunkdError(409, f"In handler 'indexes': Index name={name} already exists")
        state.indexes = {**state.indexes, name: index}  # copy on write: searches iterate the old dict
    return FeedReply(Feed("indexes", "data/indexes", [index_entry(index)]), status=201)


def update_index(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require_edit(state, req)
    settings = _settings(req)
    index = state.indexes.get(params["name"])
    if index is None:
        raise not_found("indexes", params["name"])
    index.settings.update(settings)
    return FeedReply(Feed("indexes", "data/indexes", [index_entry(index)]))


def delete_index(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require_edit(state, req)
    name = params["name"]
    with state.config_lock:
        if name not in state.indexes:
            raise not_found("indexes", name)
        if name in _PERMANENT:
            raise SplunkdError(400, f"In handler 'indexes': Cannot delete the default index {name}.")
        state.indexes = {k: v for k, v in state.indexes.items() if k != name}
    return FeedReply(Feed("indexes", "data/indexes", []))


ROUTES = [
    *route("GET", "data/indexes", list_indexes),
    *route("POST", "data/indexes", create_index),
    *route("GET", "data/indexes/{name}", get_index),
    *route("POST", "data/indexes/{name}", update_index),
    *route("DELETE", "data/indexes/{name}", delete_index),
]
