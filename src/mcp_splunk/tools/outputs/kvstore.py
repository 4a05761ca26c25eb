"""Results of the KV Store tools: collections, record pages, and the writes."""

from __future__ import annotations

from mcp_splunk.tools.outputs.common import Listing, Omitted, Result, Row, SplunkValue, Truncation


class Collection(Result):
    name: str
    app: str | None
    owner: str | None
    sharing: str | None
    fields: dict[str, SplunkValue]
    accelerated_fields: dict[str, SplunkValue]
    enforce_types: bool
    replicate: bool
    disabled: bool


class CollectionListing(Listing):
    collections: list[Collection]


class RecordPaging(Result):
    # The paging envelope of KV Store records: the KV Store does not count matches, so ``total`` is known only
    # on the last page.

    offset: int
    count: int
    total: int | None
    has_more: bool
    next_offset: int | None


class LimitLowered(Result):
    requested: int
    max_row_limit: int


class RecordPage(Result):
    collection: str
    app: str
    records: list[Row]
    paging: RecordPaging
    truncated: Truncation | Omitted = None
    limit_lowered: LimitLowered | Omitted = None


class Inserted(Result):
    collection: str
    app: str
    inserted: int
    keys: list[SplunkValue]


class Updated(Result):
    collection: str
    app: str
    key: str
    before: Row
    after: Row


class KeysCut(Result):
    shown: int
    deleted: int


class Deleted(Result):
    collection: str
    app: str
    deleted: int
    keys: list[str]
    keys_not_found: list[str]
    keys_truncated: KeysCut | Omitted = None
