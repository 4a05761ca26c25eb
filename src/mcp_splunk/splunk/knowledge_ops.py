"""Splunk operations on knowledge objects (saved searches, fired alerts, lookups, views), as plain functions.

Like ``operations``, each takes a splunklib ``Service`` first and returns plain data. Names of objects go into
URL paths percent-encoded as one segment (a name may hold spaces, parentheses or slashes). Listings read every
app's objects the caller may see (the ``-/-`` namespace) unless an app is named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from splunklib import binding, client

from mcp_splunk.errors import SplunkServerError
from mcp_splunk.splunk.operations import JSON, read_entries

ALL = "-"  # the wildcard owner or app of a namespace
_SHARED = frozenset({"app", "global", "system"})
_XML_SID = re.compile(r"<sid>([^<]+)</sid>")


def entity_path(collection: str, name: str) -> str:
    """``<collection>/<name>`` with the name encoded as a single path segment (splunklib leaves it as is)."""
    return binding.UrlEncoded(f"{collection}/{quote(name, safe='')}", skip_encode=True)  # type: ignore[no-any-return]


def read_all(
    service: client.Service,
    path: str,
    *,
    owner: str | None = ALL,
    app: str | None = ALL,
    fields: Iterable[str] = (),
) -> list[JSON]:
    """Every entry of a collection in one request; ``fields`` limits the content keys splunkd sends (``f=``)."""
    query: dict[str, Any] = {"f": list(fields)} if fields else {}
    return read_entries(service, path, count=0, owner=owner, app=app, **query).entries


def read_entity(
    service: client.Service, collection: str, name: str, *, owner: str | None = ALL, app: str | None = ALL
) -> JSON:
    """One named object (the first, should several apps hold one of that name). A 404 becomes ``SplunkNotFound``."""
    entries = read_entries(service, entity_path(collection, name), owner=owner, app=app).entries
    if not entries:
        raise SplunkServerError(f"Splunk answered a request for {collection}/{name} with no entry.")
    return entries[0]


def namespace_of(acl: JSON) -> tuple[str, str]:
    """The (owner, app) under which an object is addressed, as splunklib derives it from ``eai:acl``."""
    app = str(acl.get("app") or "search")
    if str(acl.get("sharing", "app")) in _SHARED:
        return "nobody", app
    return str(acl.get("owner") or "nobody"), app


def dispatch_saved_search(service: client.Service, name: str, *, owner: str, app: str, **params: Any) -> str:
    """``POST saved/searches/<name>/dispatch`` in the object's own namespace; the new job's sid."""
    path = binding.UrlEncoded(f"{entity_path('saved/searches', name)}/dispatch", skip_encode=True)
    response = service.post(path, owner=owner, app=app, output_mode="json", **params)
    raw = response.body.read()
    try:
        document = json.loads(raw)
        sid = document.get("sid") if isinstance(document, dict) else None
    except ValueError:  # a splunkd that ignores output_mode here answers <response><sid>…</sid></response>
        found = _XML_SID.search(raw.decode("utf-8", "replace"))
        sid = found.group(1).strip() if found else None
    if not sid:
        raise SplunkServerError(f"Splunk dispatched the saved search '{name}' but returned no sid.")
    return str(sid)


def fired_alert_groups(service: client.Service) -> list[str]:
    """The names of the fired-alert groups (one per alerting saved search), without splunkd's ``-`` (all) group."""
    return [e["name"] for e in read_all(service, "alerts/fired_alerts") if e["name"] != ALL]


def fired_alerts(service: client.Service, group: str | None = None) -> list[JSON]:
    """The fired alerts of one group, or of every group (iterated one by one, never ``fired_alerts[name]``)."""
    groups = [group] if group is not None else fired_alert_groups(service)
    alerts: list[JSON] = []
    for name in groups:
        alerts.extend(read_all(service, entity_path("alerts/fired_alerts", name)))
    return alerts
