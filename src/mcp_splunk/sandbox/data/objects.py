"""Plain-data shapes of the sandbox's knowledge objects; the REST layer turns them into endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Acl:
    """What splunkd puts in ``eai:acl``; permissions are left to the REST layer."""

    owner: str
    app: str
    sharing: str  # "user", "app" or "global"


# Objects shared with everyone in the search app, the way an admin would set them up.
SHARED = Acl("nobody", "search", "app")


@dataclass(frozen=True, slots=True)
class Entity:
    """One REST entry: its title, ACL and content keys, with string values as splunkd writes them in XML."""

    name: str
    acl: Acl
    content: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class LookupFile:
    """A CSV lookup table file (``data/lookup-table-files``) and its parsed rows."""

    name: str  # the file name, e.g. "http_status.csv"
    acl: Acl
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]


# KV Store documents are JSON objects; the sample collections only hold strings and numbers.
KVRecord = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class KVStoreCollection:
    """A KV Store collection: its configuration (``field.<name>`` types and so on) and its documents."""

    name: str
    acl: Acl
    content: Mapping[str, str]
    records: tuple[KVRecord, ...]  # each with "_key" and "_user"


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Every knowledge object the sandbox starts with."""

    saved_searches: tuple[Entity, ...]
    fired_alerts: tuple[Entity, ...]  # titled by scheduler sid, oldest first
    lookup_files: tuple[LookupFile, ...]
    lookup_definitions: tuple[Entity, ...]  # data/transforms/lookups
    kvstore_collections: tuple[KVStoreCollection, ...]
    macros: tuple[Entity, ...]  # configs/conf-macros stanzas: "definition", "args", "iseval"
    views: tuple[Entity, ...]  # data/ui/views: "eai:data" holds the Simple XML, "label" its title
