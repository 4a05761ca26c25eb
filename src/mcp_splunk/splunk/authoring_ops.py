"""Authoring writes (dashboards, lookup table files, lookup definitions) as plain functions of a splunklib
``Service``, each in the namespace it is given (the pooled ``Service`` is shared, so its default never applies).

A lookup table file's rows go to the Lookup File Editor app's REST handler (``data/lookup_edit``): splunkd's own
``data/lookup-table-files`` create only moves a file already staged on the server's disk, which a remote client
cannot put there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from splunklib import client

from mcp_splunk.splunk.knowledge_ops import entity_path
from mcp_splunk.splunk.operations import JSON, _json_body

VIEWS = "data/ui/views"
DEFINITIONS = "data/transforms/lookups"
# Absolute: the handler is matched under /services and takes the app and owner as arguments.
LOOKUP_CONTENTS = "/services/data/lookup_edit/lookup_contents"


def _entry(response: Any) -> JSON:
    document = _json_body(response) or {}
    entries = document.get("entry", []) if isinstance(document, dict) else []
    if not entries:
        return {}
    entry = entries[0]
    return {"name": entry.get("name", ""), "content": dict(entry.get("content") or {}), "acl": entry.get("acl") or {}}


def create_view(service: client.Service, name: str, source: str, *, owner: str, app: str) -> JSON:
    response = service.post(VIEWS, owner=owner, app=app, output_mode="json", name=name, **{"eai:data": source})
    return _entry(response)


def update_view(service: client.Service, name: str, source: str, *, owner: str, app: str) -> JSON:
    response = service.post(entity_path(VIEWS, name), owner=owner, app=app, output_mode="json", **{"eai:data": source})
    return _entry(response)


def delete_view(service: client.Service, name: str, *, owner: str, app: str) -> None:
    service.delete(entity_path(VIEWS, name), owner=owner, app=app)


def write_lookup_table(
    service: client.Service, name: str, rows: Sequence[Sequence[str]], *, owner: str, app: str
) -> None:
    """Create or replace the CSV lookup table file ``name`` in ``app`` with ``rows`` (the first is the header)."""
    service.post(
        LOOKUP_CONTENTS,
        output_mode="json",
        lookup_file=name,
        namespace=app,
        owner=owner,
        lookup_type="csv",
        contents=json.dumps([list(row) for row in rows]),
    )


def create_lookup_definition(
    service: client.Service, name: str, settings: Mapping[str, str], *, owner: str, app: str
) -> JSON:
    response = service.post(DEFINITIONS, owner=owner, app=app, output_mode="json", name=name, **settings)
    return _entry(response)
