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


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds") if epoch is not None else None


def index_entry(index: Index) -> Entry:
    summary = index.summary()
    db = f"$SPLUNK_DB/{index.name.lstrip('_') if index.name == '_internal' else index.name}"
    content = {
        "assureUTF8": False,
        "coldPath": f"{db}/colddb",
        "coldPath_expanded": f"/opt/splunk/var/lib/splunk/{index.name}/colddb",
        "currentDBSizeMB": math.ceil(summary.size_bytes / _MB) if summary.size_bytes else 0,
        "datatype": "event",
        "defaultDatabase": "main",
        "disabled": False,
        "frozenTimePeriodInSecs": 188697600,
        "homePath": f"{db}/db",
        "homePath_expanded": f"/opt/splunk/var/lib/splunk/{index.name}/db",
        "isInternal": index.internal,
        "isReady": True,
        "maxDataSize": "auto",
        "maxTime": _iso(summary.max_time),
        "maxTotalDataSizeMB": 500000,
        "minTime": _iso(summary.min_time),
        "thawedPath": f"{db}/thaweddb",
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
