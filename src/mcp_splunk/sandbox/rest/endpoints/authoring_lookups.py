"""Lookup writes: CSV lookup table contents and lookup definitions (``data/transforms/lookups``).

splunkd's own ``data/lookup-table-files`` create only moves a file already staged on the server's disk
(``eai:data`` is a path there), which a remote client cannot do; the Lookup File Editor app's REST handler
(``data/lookup_edit/lookup_contents``) takes the rows themselves, as a JSON array of arrays whose first row is the
header, and creates or replaces the file in the app (``namespace``) for ``owner`` (``nobody``: shared in the app).
"""

from __future__ import annotations

import json
import time
from typing import Any

from mcp_splunk.sandbox.objects import Namespace
from mcp_splunk.sandbox.rest.endpoints.knowledge import object_entry, write_routes
from mcp_splunk.sandbox.rest.entries import Feed
from mcp_splunk.sandbox.rest.replies import BodyReply, FeedReply, Reply, SplunkdError, forbidden
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

DEFINITIONS = "data/transforms/lookups"
_DEFINITION_TITLE = "transforms-lookup"
DEFINITION_DEFAULTS: dict[str, Any] = {
    "filename": "",
    "case_sensitive_match": True,
    "match_type": "",
    "max_matches": "",
    "min_matches": "",
    "default_match": "",
}


def _rows(text: str) -> list[list[str]]:
    try:
        rows = json.loads(text)
    except ValueError:
        raise SplunkdError(400, "contents must be a JSON array of rows") from None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise SplunkdError(400, "contents must be a non-empty JSON array of rows, the first being the header")
    return [[str(cell) for cell in row] for row in rows]


def post_lookup_contents(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    user = req.require_user()
    name = (req.get("lookup_file") or "").strip()
    if not name or "/" in name or name.startswith("."):
        raise SplunkdError(400, "lookup_file must be a file name")
    if "upload_lookup_files" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "upload_lookup_files")
    header, *body = _rows(req.get("contents") or "")
    table = [dict(zip(header, row, strict=False)) for row in body]
    ns = Namespace(req.get("owner") or "nobody", req.get("namespace") or "search")
    path = f"/opt/splunk/etc/apps/{ns.app}/lookups/{name}"
    existing = [o for o in state.lookup_files.visible(user, ns) if o.name == name and o.acl.app == ns.app]
    if existing:
        state.lookup_files.update(name, user, ns, lambda c: c.update({"eai:data": path}), time.time())
    else:
        state.lookup_files.create(name, user, ns, {"eai:data": path}, time.time())
    state.lookup_tables[name] = table
    return BodyReply(200, json.dumps({"path": path, "rows": len(table)}).encode(), "application/json")


def create_definition(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    form = req.form(exclude=("output_mode", "name"))
    unknown = sorted(k for k in form if k not in DEFINITION_DEFAULTS)
    if unknown:
        raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
    filename = form.get("filename", "")
    if not filename:
        raise SplunkdError(400, "In handler 'transforms-lookup': Missing argument: filename")
    rows = state.lookup_tables.get(filename)
    if rows is None:
        raise SplunkdError(400, f"In handler 'transforms-lookup': The lookup table '{filename}' does not exist.")
    # As splunkd does, a file-based definition reports its fields from the CSV header.
    fields = list(rows[0]) if rows else []
    content = {**form, "type": "file", "fields_list": ",".join(fields), "fields_array": fields}
    name = (req.get("name") or "").strip()
    obj = state.lookup_definitions.create(name, req.require_user(), req.namespace(), content, time.time())
    return FeedReply(Feed(_DEFINITION_TITLE, DEFINITIONS, [object_entry(obj, DEFINITIONS)]), status=201)


_UPDATE_DELETE = [
    r
    for r in write_routes(
        DEFINITIONS, _DEFINITION_TITLE, "lookup_definitions", required="filename", defaults=DEFINITION_DEFAULTS
    )
    if r.pattern != tuple(DEFINITIONS.split("/"))
]

ROUTES = [
    *route("POST", "data/lookup_edit/lookup_contents", post_lookup_contents),
    *route("POST", DEFINITIONS, create_definition),
    *_UPDATE_DELETE,
]
