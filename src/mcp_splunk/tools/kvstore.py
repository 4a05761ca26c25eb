"""KV Store: list collections, query records, and (only with writes enabled) insert, update and delete records.

Every call addresses ``/servicesNS/nobody/<app>/storage/collections/...`` explicitly; see ``splunk.admin_ops``.
Deletes need a non-empty selector, so no call can empty a collection by accident, and the user's yes when the
client can ask (elicitation), else ``confirm: true``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import InvalidArgument, SplunkNotFound
from mcp_splunk.splunk import admin_ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, mutating, read_only
from mcp_splunk.tools.confirmation import user_confirms
from mcp_splunk.tools.kv_common import (
    APP_DESCRIPTION,
    QUERY_EXAMPLE,
    AppName,
    CollectionName,
    FieldName,
    RecordKey,
    SortKey,
    check_query,
    kv_call,
    parse_sort,
    selectors,
)
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.listing import more_from
from mcp_splunk.tools.outputs.kvstore import CollectionListing, Deleted, Inserted, RecordPage, Updated
from mcp_splunk.tools.paging import Page

MAX_INSERT = 1000  # splunkd's default max_documents_per_batch_save
MAX_DELETE_KEYS = 1000
_SHOWN_KEYS = 20  # keys named in an error message


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true")


def _collection(entry: dict[str, Any]) -> dict[str, Any]:
    content, acl = entry["content"], entry["acl"]
    fields = {k.removeprefix("field."): v for k, v in content.items() if k.startswith("field.")}
    accelerated: dict[str, Any] = {}
    for key, value in content.items():
        if key.startswith("accelerated_fields."):
            try:
                accelerated[key.removeprefix("accelerated_fields.")] = json.loads(value)
            except (TypeError, ValueError):
                accelerated[key.removeprefix("accelerated_fields.")] = value
    return {
        "name": entry["name"],
        "app": acl.get("app"),
        "owner": acl.get("owner"),
        "sharing": acl.get("sharing"),
        "fields": fields,
        "accelerated_fields": accelerated,
        "enforce_types": _flag(content.get("enforceTypes")),
        "replicate": _flag(content.get("replicate")),
        "disabled": _flag(content.get("disabled")),
    }


class ListCollectionsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: AppName | None = Field(None, description="Only collections of this app, e.g. 'search'. Default: every app.")
    offset: int = Field(0, ge=0, description="Index of the first collection to return (for paging). Default 0.")
    count: int = Field(100, ge=1, le=1000, description="How many collections to return at most. Default 100.")


class ListKvstoreCollections(BaseTool):
    name = "list_kvstore_collections"
    title = "List KV Store collections"
    description = (
        "The KV Store collections you can read: name, app, sharing, declared field types and accelerated fields "
        "(indexes). Use it to find a collection's name, app and field names before query_kvstore; KV Store "
        "collections are also what kvstore lookups (list_lookups) read."
    )
    annotations = read_only()
    Params = ListCollectionsParams
    Result = CollectionListing

    async def execute(self, params: ListCollectionsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        page = await splunk.run(admin_ops.list_kv_collections, app=params.app, count=params.count, offset=params.offset)
        rows = [_collection(e) for e in page.entries]
        shown = rows[: fit_rows(rows, self.deps.settings.gateway.max_output_chars)]
        window = Page(params.offset, len(shown), max(page.total, params.offset + len(shown)))
        data: dict[str, Any] = {"collections": shown, "paging": window.as_dict()}
        if note := truncation(len(shown), len(rows), more=more_from(window.offset + window.count)):
            data["truncated"] = note
        return ToolOutput(data)


class QueryKvstoreParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: CollectionName = Field(description="The collection's name, e.g. 'assets'.")
    query: dict[str, Any] | None = Field(
        None,
        description=(
            "Which records: a Mongo-style JSON object, e.g. " + QUERY_EXAMPLE + ". Operators: $eq $ne $gt $gte $lt "
            "$lte $in $nin $regex $exists $not $and $or $nor; a plain value means equality. Default: all records."
        ),
    )
    fields: list[FieldName] | None = Field(
        None, max_length=100, description="Only these fields of each record (plus _key). Default: every field."
    )
    sort: list[SortKey] | None = Field(
        None,
        max_length=10,
        description="Sort keys in priority order: 'field' ascending, '-field' descending. Default: storage order.",
    )
    limit: int | None = Field(
        None,
        ge=1,
        description=(
            "How many records to return at most. Default: the gateway's default row limit (100); values above "
            "its maximum (MCP_SPLUNK_MAX_ROW_LIMIT, 10000 by default) are lowered to it."
        ),
    )
    skip: int = Field(0, ge=0, description="How many matching records to skip first (for paging). Default 0.")
    app: AppName | None = Field(None, description=APP_DESCRIPTION)


class QueryKvstore(BaseTool):
    name = "query_kvstore"
    title = "Query a KV Store collection"
    description = (
        "Read records of a KV Store collection, filtered with a Mongo-style query, projected, sorted and paged "
        "(skip/limit), with a paging envelope. Prefer it over searching with '| inputlookup' when you need "
        "exact records by field values; use list_kvstore_collections to find collection names and fields."
    )
    annotations = read_only()
    Params = QueryKvstoreParams
    Result = RecordPage

    async def execute(self, params: QueryKvstoreParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        splunk = await self.get_splunk_service()
        app = params.app or splunk.config.app
        query = check_query(params.query)
        requested = params.limit or settings.default_row_limit
        limit = min(requested, settings.max_row_limit)
        rows = await kv_call(
            splunk,
            admin_ops.kv_query,
            params.collection,
            app,
            query=query,
            fields=params.fields or (),
            sort=parse_sort(params.sort or ()),
            limit=limit + 1,  # one more than asked tells whether another page exists
            skip=params.skip,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        around: dict[str, Any] = {"collection": params.collection, "app": app, "records": []}
        if requested > limit:
            around["limit_lowered"] = {"requested": requested, "max_row_limit": limit}
        shown = rows[: fit_rows(rows, settings.max_output_chars, around=around)]
        if rows and not shown:
            raise InvalidArgument(
                f"The record at skip {params.skip} alone is larger than this gateway's output budget "
                f"({settings.max_output_chars} characters); ask for fewer fields with fields=[...]."
            )
        has_more = more or len(shown) < len(rows)
        paging = {
            "offset": params.skip,
            "count": len(shown),
            "total": None if has_more else params.skip + len(shown),  # the KV Store does not count matches
            "has_more": has_more,
            "next_offset": params.skip + len(shown) if has_more else None,
        }
        data: dict[str, Any] = around | {"records": shown, "paging": paging}
        hint = more_from(params.skip + len(shown), "skip") + " Fewer fields per record (fields=[...]) fit more."
        if note := truncation(len(shown), len(rows), more=hint):
            data["truncated"] = note
        return ToolOutput(data)


# -- writes ----------------------------------------------------------------------------------------------------
class InsertParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: CollectionName = Field(description="The collection's name, e.g. 'assets'.")
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_INSERT,
        description=(
            f"The records to add (1 to {MAX_INSERT}), as JSON objects. A record may set its own '_key' (a string); "
            "otherwise Splunk assigns one. Keys that already exist are refused: use update_kvstore_record."
        ),
    )
    app: AppName | None = Field(None, description=APP_DESCRIPTION)


class InsertKvstoreRecords(BaseTool):
    name = "insert_kvstore_records"
    title = "Insert KV Store records"
    description = (
        "Add new records to a KV Store collection in one batch and return their keys. It never overwrites: a "
        "record whose _key already exists is refused (change existing records with update_kvstore_record)."
    )
    annotations = mutating(destructive=False, idempotent=False)
    Params = InsertParams
    Result = Inserted
    writes = True

    async def execute(self, params: InsertParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        app = params.app or splunk.config.app
        keys: list[str] = []
        for index, record in enumerate(params.records):
            if "_key" in record:
                key = record["_key"]
                if not isinstance(key, str) or not key or "/" in key:
                    raise InvalidArgument(f"records[{index}]._key must be a non-empty string without '/'.")
                keys.append(key)
        if duplicates := sorted(k for k, n in Counter(keys).items() if n > 1):
            raise InvalidArgument(f"These _key values appear more than once in records: {', '.join(duplicates)}.")
        existing = [
            str(r.get("_key"))
            for selector in selectors(keys, None)
            for r in await kv_call(splunk, admin_ops.kv_query, params.collection, app, query=selector, fields=["_key"])
        ]
        if existing:
            raise InvalidArgument(
                f"Nothing inserted: records with these _key values already exist in collection "
                f"'{params.collection}' (app {app}): {', '.join(sorted(existing)[:_SHOWN_KEYS])}. Insert never "
                "overwrites; use update_kvstore_record to change them, or leave _key out to get new keys."
            )
        records = [{k: v for k, v in r.items() if k != "_user"} for r in params.records]
        saved = await kv_call(splunk, admin_ops.kv_batch_save, params.collection, app, records)
        return ToolOutput({"collection": params.collection, "app": app, "inserted": len(saved), "keys": saved})


class UpdateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: CollectionName = Field(description="The collection's name, e.g. 'assets'.")
    key: RecordKey = Field(description="The _key of the record to change.")
    record: dict[str, Any] = Field(
        description=(
            "The record's new fields, as a JSON object. With merge=false (the default) it replaces the whole "
            "record, as the KV Store does: fields not given are removed. Do not include a different _key."
        )
    )
    merge: bool = Field(
        False,
        description="Keep the record's other fields and change only those given in 'record'. Default false.",
    )
    app: AppName | None = Field(None, description=APP_DESCRIPTION)


class UpdateKvstoreRecord(BaseTool):
    name = "update_kvstore_record"
    title = "Update a KV Store record"
    description = (
        "Replace one KV Store record by its _key, or with merge=true change only the given fields; returns the "
        "record before and after. The record must exist (add new ones with insert_kvstore_records)."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = UpdateParams
    Result = Updated
    writes = True

    async def execute(self, params: UpdateParams) -> ToolOutput:
        if params.record.get("_key", params.key) != params.key:
            raise InvalidArgument("record._key differs from key: a record's _key cannot be changed.")
        splunk = await self.get_splunk_service()
        app = params.app or splunk.config.app
        where = f"collection '{params.collection}' (app {app})"
        found = await kv_call(splunk, admin_ops.kv_query, params.collection, app, query={"_key": params.key}, limit=1)
        if not found:
            raise SplunkNotFound(
                f"No record with _key '{params.key}' in {where}. Find keys with query_kvstore, or add the record "
                "with insert_kvstore_records.",
                404,
            )
        before = found[0]
        base = {k: v for k, v in before.items() if k != "_user"} if params.merge else {}
        after = {**base, **{k: v for k, v in params.record.items() if k != "_user"}, "_key": params.key}
        await kv_call(splunk, admin_ops.kv_replace_record, params.collection, app, params.key, after)
        return ToolOutput(
            {"collection": params.collection, "app": app, "key": params.key, "before": before, "after": after}
        )


class DeleteParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: CollectionName = Field(description="The collection's name, e.g. 'assets'.")
    keys: list[RecordKey] | None = Field(
        None,
        max_length=MAX_DELETE_KEYS,
        description=f"The _key values of the records to delete (at most {MAX_DELETE_KEYS}).",
    )
    query: dict[str, Any] | None = Field(
        None,
        description=(
            'Delete the records matching this Mongo-style query, e.g. {"owner": "dba"}. With keys too, only '
            "records that match both are deleted. An empty selector (no keys, no query) is refused."
        ),
    )
    confirm: bool = Field(
        False,
        description=(
            "Must be true to delete. Without it nothing is deleted and the error says how many records (and "
            "which keys) the call would delete."
        ),
    )
    app: AppName | None = Field(None, description=APP_DESCRIPTION)


class DeleteKvstoreRecords(BaseTool):
    name = "delete_kvstore_records"
    title = "Delete KV Store records"
    description = (
        "Delete KV Store records selected by _key values and/or a Mongo-style query; needs the user's yes (asked "
        "when the client supports elicitation) or else confirm=true, and a call without either only reports what "
        "would be deleted. It never deletes a whole collection's records without a selector."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = DeleteParams
    Result = Deleted
    writes = True

    async def execute(self, params: DeleteParams) -> ToolOutput:
        query = check_query(params.query)
        if not params.keys and not query:
            raise InvalidArgument(
                "Refused: no selector. Give keys=[...] or a non-empty query; deleting every record of a collection "
                "is not possible through this tool."
            )
        splunk = await self.get_splunk_service()
        app = params.app or splunk.config.app
        where = f"collection '{params.collection}' (app {app})"
        batches: list[tuple[dict[str, Any], list[str]]] = []
        for selector in selectors(params.keys, query):
            found = await kv_call(splunk, admin_ops.kv_query, params.collection, app, query=selector, fields=["_key"])
            batches.append((selector, [str(r.get("_key")) for r in found]))
        keys = [key for _, found_keys in batches for key in found_keys]
        listed = ", ".join(keys[:_SHOWN_KEYS]) + (
            f" and {len(keys) - _SHOWN_KEYS} more" if len(keys) > _SHOWN_KEYS else ""
        )
        what = f"{len(keys)} record(s) from {where}" + (f": {listed}" if keys else "")
        if not await user_confirms(f"Delete {what}?", confirm=params.confirm):
            raise InvalidArgument(
                f"Not deleted: confirm is not true. This call would delete {what}. Call again with confirm: true "
                "to delete them."
            )
        for selector, found_keys in batches:
            if found_keys:
                await kv_call(splunk, admin_ops.kv_delete, params.collection, app, selector)
        missing = [k for k in params.keys or () if k not in set(keys)]
        data: dict[str, Any] = {
            "collection": params.collection,
            "app": app,
            "deleted": len(keys),
            "keys": keys[:MAX_DELETE_KEYS],
            "keys_not_found": missing,
        }
        if len(keys) > MAX_DELETE_KEYS:
            data["keys_truncated"] = {"shown": MAX_DELETE_KEYS, "deleted": len(keys)}
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (
    ListKvstoreCollections,
    QueryKvstore,
    InsertKvstoreRecords,
    UpdateKvstoreRecord,
    DeleteKvstoreRecords,
)
