"""Administrative Splunk operations (KV Store, users and roles, health, .conf files, saved-search writes) as plain
functions of a splunklib ``Service``, returning plain data.

Every call names its namespace explicitly (``owner``/``app``): the pooled ``Service`` is shared across calls, so
nothing here may rely on, or change, its default namespace. In particular ``service.kvstore`` is never used, as it
switches the shared namespace to owner ``nobody`` for every later call. Names that end up in a URL path are
percent-encoded here, once, and handed to splunklib as already encoded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from splunklib import binding, client

from mcp_splunk.errors import SplunkNotFound
from mcp_splunk.splunk.operations import JSON, EntryPage, _json_body, read_entries

KV_CONFIG = "storage/collections/config"
KV_DATA = "storage/collections/data"
SAVED_SEARCHES = "saved/searches"
_JSON_HEADERS = [("Content-Type", "application/json")]


def _path(*parts: str) -> binding.UrlEncoded:
    """A relative REST path whose every part is percent-encoded (``/`` included), so names stay one segment."""
    return binding.UrlEncoded("/".join(quote(p, safe="") for p in parts), skip_encode=True)


def _kv_data(collection: str, *rest: str) -> binding.UrlEncoded:
    # splunklib addresses the data endpoint with a trailing slash after the collection name.
    return binding.UrlEncoded(f"{KV_DATA}/{quote(collection, safe='')}/", skip_encode=True) + (
        _path(*rest) if rest else ""
    )


# -- KV Store ----------------------------------------------------------------------------------------------
def list_kv_collections(service: client.Service, *, app: str | None, count: int, offset: int) -> EntryPage:
    """KV Store collection configs in ``app``, or in every app the caller can see when ``app`` is None."""
    return read_entries(service, KV_CONFIG, owner="nobody", app=app or "-", count=count, offset=offset)


def kv_query(
    service: client.Service,
    collection: str,
    app: str,
    *,
    query: Mapping[str, Any] | None = None,
    fields: Sequence[str] = (),
    sort: Sequence[tuple[str, int]] = (),
    limit: int = 0,
    skip: int = 0,
) -> list[JSON]:
    """Records of ``collection`` matching ``query`` (Mongo-style), sorted, projected and windowed by the server."""
    params: dict[str, Any] = {"output_mode": "json"}
    if query:
        params["query"] = json.dumps(query, separators=(",", ":"))
    if fields:
        params["fields"] = ",".join(fields)
    if sort:
        params["sort"] = ",".join(f"{name}:{direction}" for name, direction in sort)
    if limit:
        params["limit"] = limit
    if skip:
        params["skip"] = skip
    response = service.get(_kv_data(collection), owner="nobody", app=app, **params)
    document = _json_body(response)
    if not isinstance(document, list):
        raise ValueError("the KV Store answered a query with something other than a JSON array")
    return [d for d in document if isinstance(d, dict)]


def kv_batch_save(service: client.Service, collection: str, app: str, records: Sequence[JSON]) -> list[str]:
    """Save ``records`` in one request; the keys of the saved records, in order."""
    response = service.post(
        _kv_data(collection, "batch_save"),
        owner="nobody",
        app=app,
        headers=_JSON_HEADERS,
        body=json.dumps(list(records)),
    )
    keys = _json_body(response)
    if not isinstance(keys, list):
        raise ValueError("the KV Store answered batch_save with something other than a JSON array")
    return [str(k) for k in keys]


def kv_get_record(service: client.Service, collection: str, app: str, key: str) -> JSON:
    response = service.get(_kv_data(collection, key), owner="nobody", app=app, output_mode="json")
    document = _json_body(response)
    if not isinstance(document, dict):
        raise ValueError("the KV Store answered a record read with something other than a JSON object")
    return document


def kv_replace_record(service: client.Service, collection: str, app: str, key: str, record: JSON) -> str:
    """Replace the record ``key`` with ``record`` (the KV Store replaces whole documents); the record's key."""
    response = service.post(
        _kv_data(collection, key), owner="nobody", app=app, headers=_JSON_HEADERS, body=json.dumps(record)
    )
    document = _json_body(response)
    return str(document.get("_key", key)) if isinstance(document, dict) else key


def kv_delete(service: client.Service, collection: str, app: str, query: Mapping[str, Any]) -> None:
    """Delete the records matching ``query``; callers must never pass an empty query (that deletes everything)."""
    if not query:
        raise ValueError("refusing to delete with an empty query")
    service.delete(_kv_data(collection), owner="nobody", app=app, query=json.dumps(query, separators=(",", ":")))


# -- users, roles, health ----------------------------------------------------------------------------------
def list_users(service: client.Service, *, count: int, offset: int) -> EntryPage:
    return read_entries(service, "authentication/users", count=count, offset=offset)


def list_roles(service: client.Service, *, count: int, offset: int) -> EntryPage:
    return read_entries(service, "authorization/roles", count=count, offset=offset)


def splunkd_health(service: client.Service) -> tuple[JSON, bool]:
    """splunkd's health report and whether it is the per-feature one (``/details``) or only the overall colour."""
    try:
        page = read_entries(service, "server/health/splunkd/details")
        detailed = True
    except binding.HTTPError as exc:
        if exc.status != 404:  # splunkd before 8.0 has no details endpoint
            raise
        page = read_entries(service, "server/health/splunkd")
        detailed = False
    return (dict(page.entries[0]["content"]) if page.entries else {}), detailed


# -- .conf files ---------------------------------------------------------------------------------------------
def conf_stanzas(
    service: client.Service, conf_file: str, *, stanza: str | None = None, count: int = 0, offset: int = 0
) -> EntryPage:
    """Stanzas of ``conf_file`` (``configs/conf-<file>``), or the one named ``stanza``."""
    listing = binding.UrlEncoded(f"configs/conf-{quote(conf_file, safe='')}", skip_encode=True)
    if stanza is None:
        return read_entries(service, listing, count=count, offset=offset)
    if "/" in stanza:
        # Stanzas such as monitor:///var/log are found by name in the listing: not every splunkd-compatible
        # server routes a percent-encoded slash inside a path segment.
        entries = [e for e in read_entries(service, listing).entries if e["name"] == stanza]
        if not entries:
            raise SplunkNotFound(f"Splunk has no such object: no stanza [{stanza}] in conf-{conf_file}.", 404)
        return EntryPage(entries, 1, 0)
    return read_entries(service, listing + "/" + _path(stanza))


# -- saved searches ------------------------------------------------------------------------------------------
def get_saved_search(service: client.Service, name: str, *, owner: str, app: str) -> JSON:
    page = read_entries(service, _path("saved", "searches", name), owner=owner, app=app)
    if not page.entries:
        raise ValueError("splunkd answered a saved-search read without an entry")
    entry = page.entries[0]
    return {"name": entry["name"], "content": dict(entry["content"]), "acl": dict(entry["acl"])}


def _saved_entry(response: Any) -> JSON:
    document = _json_body(response) or {}
    entries = document.get("entry", []) if isinstance(document, dict) else []
    if not entries:
        return {}
    entry = entries[0]
    return {"name": entry.get("name", ""), "content": dict(entry.get("content") or {}), "acl": entry.get("acl") or {}}


def create_saved_search(
    service: client.Service, name: str, settings: Mapping[str, str], *, owner: str, app: str
) -> JSON:
    response = service.post(SAVED_SEARCHES, owner=owner, app=app, output_mode="json", name=name, **settings)
    return _saved_entry(response)


def update_saved_search(
    service: client.Service, name: str, changes: Mapping[str, str], *, owner: str, app: str
) -> JSON:
    response = service.post(_path("saved", "searches", name), owner=owner, app=app, output_mode="json", **changes)
    return _saved_entry(response)


def delete_saved_search(service: client.Service, name: str, *, owner: str, app: str) -> None:
    service.delete(_path("saved", "searches", name), owner=owner, app=app)
