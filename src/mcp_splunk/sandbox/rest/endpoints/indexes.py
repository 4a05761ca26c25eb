"""data/indexes: configuration keys plus counts, size and time bounds computed from the indexed events.

Users see only the indexes their roles let them search; the others answer 404 as if they did not exist.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from mcp_splunk.sandbox.indexes import Index
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

_MB = 1024 * 1024


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


ROUTES = [
    *route("GET", "data/indexes", list_indexes),
    *route("GET", "data/indexes/{name}", get_index),
]
