"""Deterministic sample data for the sandbox Splunk: indexed events and the knowledge objects around them."""

from __future__ import annotations

from mcp_splunk.sandbox.data.corpus import generate_events
from mcp_splunk.sandbox.data.knowledge import default_knowledge
from mcp_splunk.sandbox.data.objects import Acl, Entity, Knowledge, KVRecord, KVStoreCollection, LookupFile

__all__ = [
    "Acl",
    "Entity",
    "KVRecord",
    "KVStoreCollection",
    "Knowledge",
    "LookupFile",
    "default_knowledge",
    "generate_events",
]
