"""storage/collections/config and storage/collections/data: KV Store collections and their records.

Records live in memory for the sandbox's lifetime. Reads need the collection's read permission, writes its
write permission (``admin``/``power`` for the shipped collection), as in splunkd. Each app has its own
collections (the same name may exist in two apps), and collection configurations are only served in the
``nobody`` user context, as splunkd insists.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from mcp_splunk.sandbox.kvquery import QueryError, convert, find, parse_json_object, select
from mcp_splunk.sandbox.objects import KnowledgeObject
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.jsonfmt import dumps
from mcp_splunk.sandbox.rest.replies import BodyReply, EmptyReply, FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest, normalise_booleans
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

CONFIG = "storage/collections/config"
DATA = "storage/collections/data"
JSON_TYPE = "application/json; charset=UTF-8"
MAX_BATCH = 1000
_FIND_KEYS = frozenset({"query", "sort", "skip", "limit", "fields"})
_BOOLEANS = ("enforceTypes", "replicate", "disabled", "profilingEnabled")


def _json(value: Any, status: int = 200) -> BodyReply:
    return BodyReply(status, dumps(value).encode(), JSON_TYPE)


def collection_entry(obj: KnowledgeObject) -> Entry:
    content = {
        "disabled": False,
        "eai:appName": obj.acl.app,
        "eai:userName": obj.acl.owner,
        "enforceTypes": False,
        "replicate": False,
        "type": "undefined",
        **obj.content,
    }
    return Entry(obj.name, CONFIG, content, obj.acl, obj.acl.owner)


def _nobody(req: SplunkdRequest) -> None:
    owner = req.owner or req.require_user().name
    if owner not in ("nobody", "-"):
        raise SplunkdError(
            400,
            f"Must use user context of 'nobody' when interacting with collection configurations (used user='{owner}')",
        )


def list_collections(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _nobody(req)
    entries = [collection_entry(o) for o in state.kv_collections.visible(req.require_user(), req.namespace())]
    return FeedReply(req.list_query().apply("collections-conf", CONFIG, entries, create_link=True))


def get_collection(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _nobody(req)
    found = state.kv_collections.find(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed("collections-conf", CONFIG, [collection_entry(o) for o in found]))


def _config_changes(req: SplunkdRequest) -> dict[str, str]:
    form = req.form()
    bad = sorted(
        k
        for k in form
        if k != "name"
        and not k.startswith(("field.", "accelerated_fields."))
        and k not in ("enforceTypes", "replicate", "disabled", "profilingEnabled", "type")
    )
    if bad:
        raise SplunkdError(400, f'Argument "{bad[0]}" is not supported by this handler.')
    return normalise_booleans({k: v for k, v in form.items() if k != "name"}, _BOOLEANS)


def create_collection(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _nobody(req)
    name = (req.get("name") or "").strip()
    obj = state.kv_collections.create(name, req.require_user(), req.namespace(), _config_changes(req), time.time())
    state.kv_records(name, obj.acl.app)
    return FeedReply(Feed("collections-conf", CONFIG, [collection_entry(obj)]), status=201)


def update_collection(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _nobody(req)
    changes = _config_changes(req)
    obj = state.kv_collections.update(
        params["name"],
        req.require_user(),
        req.namespace(),
        lambda content: content.update(changes),
        time.time(),
    )
    return FeedReply(Feed("collections-conf", CONFIG, [collection_entry(obj)]))


def delete_collection(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _nobody(req)
    obj = state.kv_collections.get(params["name"], req.require_user(), req.namespace())
    state.kv_collections.delete(params["name"], req.require_user(), req.namespace())
    with state.kv_lock:
        state.kv_data.pop((obj.acl.app, obj.name), None)
    return FeedReply(Feed("collections-conf", CONFIG, []))


# -- data ------------------------------------------------------------------------------------------------
def _collection(state: SandboxState, req: SplunkdRequest, name: str, *, write: bool) -> KnowledgeObject:
    user = req.require_user()
    try:
        obj = state.kv_collections.get(name, user, req.namespace())
    except SplunkdError:
        raise SplunkdError(404, f"Collection '{name}' does not exist in app '{req.namespace().app}'.") from None
    if write and not state.kv_collections.can_write(obj, user):
        raise SplunkdError(403, f"User '{user.name}' does not have permission to write collection '{name}'.")
    return obj


def _typed(obj: KnowledgeObject, doc: dict[str, Any]) -> dict[str, Any]:
    """Declared fields converted to their type; a value that does not convert fails the write under
    ``enforceTypes`` and is dropped otherwise, as the KV Store does."""
    enforce = str(obj.content.get("enforceTypes", "false")).lower() in ("1", "true")
    typed: dict[str, Any] = {}
    for key, value in doc.items():
        kind = obj.content.get(f"field.{key}")
        try:
            typed[key] = convert(value, str(kind)) if kind and value is not None else value
        except ValueError:
            if enforce:
                raise SplunkdError(400, f"Field '{key}' must be of type {kind}; got {str(value)[:64]!r}.") from None
    return typed


def _document(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SplunkdError(400, "The request body must be a JSON object.")
    return value


def _save(state: SandboxState, obj: KnowledgeObject, doc: dict[str, Any], key: str | None = None) -> str:
    record = _typed(obj, doc)
    key = str(key or record.get("_key") or secrets.token_hex(12))
    with state.kv_lock:
        state.kv_records(obj.name, obj.acl.app)[key] = {**record, "_key": key, "_user": "nobody"}
    return key


def query(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=False)
    skip, limit = req.int_param("skip", 0), req.int_param("limit", 0)
    sort, fields = req.get("sort") or "", req.get("fields") or ""
    try:
        condition = parse_json_object(req.get("query") or "{}", "query")
        with state.kv_lock:
            docs = list(state.kv_records(obj.name, obj.acl.app).values())
        found = find(docs, condition, sort=sort, skip=skip, limit=limit, fields=fields)
    except QueryError as exc:
        raise SplunkdError(400, str(exc)) from None
    return _json(found)


def insert(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=True)
    doc = _document(req.json_body())
    with state.kv_lock:
        if "_key" in doc and str(doc["_key"]) in state.kv_records(obj.name, obj.acl.app):
            # An insert never replaces (update and batch_save do): MongoDB's duplicate key error.
            raise SplunkdError(409, f"A document with _key '{doc['_key']}' already exists.")
        key = _save(state, obj, doc)
    return _json({"_key": key}, 201)


def delete_records(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=True)
    try:
        condition = parse_json_object(req.get("query") or "{}", "query")
        with state.kv_lock:
            records = state.kv_records(obj.name, obj.acl.app)
            for doc in select(records.values(), condition):
                del records[doc["_key"]]
    except QueryError as exc:
        raise SplunkdError(400, str(exc)) from None
    return EmptyReply(200)


def _record_not_found(key: str) -> SplunkdError:
    return SplunkdError(404, f"Could not find object id={key}")


def get_record(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=False)
    with state.kv_lock:
        doc = state.kv_records(obj.name, obj.acl.app).get(params["key"])
    if doc is None:
        raise _record_not_found(params["key"])
    return _json(doc)


def update_record(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=True)
    doc = _document(req.json_body())
    with state.kv_lock:
        if params["key"] not in state.kv_records(obj.name, obj.acl.app):
            raise _record_not_found(params["key"])
        key = _save(state, obj, doc, params["key"])
    return _json({"_key": key})


def delete_record(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=True)
    with state.kv_lock:
        if state.kv_records(obj.name, obj.acl.app).pop(params["key"], None) is None:
            raise _record_not_found(params["key"])
    return EmptyReply(200)


def _batch_items(req: SplunkdRequest) -> list[dict[str, Any]]:
    items = req.json_body()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SplunkdError(400, "The request body must be a JSON array of objects.")
    if len(items) > MAX_BATCH:
        raise SplunkdError(400, f"A batch may hold at most {MAX_BATCH} documents; got {len(items)}.")
    return items


def batch_save(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=True)
    return _json([_save(state, obj, doc) for doc in _batch_items(req)])


def _find_spec(item: dict[str, Any]) -> dict[str, Any]:
    """One batch_find query object: ``query`` plus the ``sort``/``skip``/``limit``/``fields`` of a GET."""
    unknown = sorted(set(item) - _FIND_KEYS)
    if unknown:
        raise QueryError(f"Invalid batch_find query: unknown key '{unknown[0]}'; use {', '.join(sorted(_FIND_KEYS))}")
    spec: dict[str, Any] = {"query": item.get("query", {})}
    if not isinstance(spec["query"], dict):
        raise QueryError("Invalid batch_find query: 'query' must be a JSON object")
    for key in ("sort", "fields"):
        if not isinstance(value := item.get(key, ""), str):
            raise QueryError(f"Invalid batch_find query: '{key}' must be a string")
        spec[key] = value
    for key in ("skip", "limit"):
        value = item.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise QueryError(f"Invalid batch_find query: '{key}' must be a non-negative integer")
        spec[key] = value
    return spec


def batch_find(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = _collection(state, req, params["collection"], write=False)
    items = _batch_items(req)
    with state.kv_lock:
        docs = list(state.kv_records(obj.name, obj.acl.app).values())
    try:
        specs = [_find_spec(item) for item in items]
        return _json([find(docs, spec.pop("query"), **spec) for spec in specs])
    except QueryError as exc:
        raise SplunkdError(400, str(exc)) from None


ROUTES = [
    *route("GET", CONFIG, list_collections),
    *route("POST", CONFIG, create_collection),
    *route("GET", f"{CONFIG}/{{name}}", get_collection),
    *route("POST", f"{CONFIG}/{{name}}", update_collection),
    *route("DELETE", f"{CONFIG}/{{name}}", delete_collection),
    *route("GET", f"{DATA}/{{collection}}", query),
    *route("POST", f"{DATA}/{{collection}}", insert),
    *route("DELETE", f"{DATA}/{{collection}}", delete_records),
    *route("POST", f"{DATA}/{{collection}}/batch_save", batch_save),
    *route("POST", f"{DATA}/{{collection}}/batch_find", batch_find),
    *route("GET", f"{DATA}/{{collection}}/{{key}}", get_record),
    *route("POST", f"{DATA}/{{collection}}/{{key}}", update_record),
    *route("DELETE", f"{DATA}/{{collection}}/{{key}}", delete_record),
]
