"""Knowledge-object endpoints built from one pattern: list and get for lookups, macros and dashboards, plus
create, update and delete where splunkd serves them over REST (event types)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from mcp_splunk.sandbox.objects import KnowledgeObject, ObjectCollection
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest, normalise_booleans
from mcp_splunk.sandbox.rest.routes import Route, route
from mcp_splunk.sandbox.state import SandboxState


def object_entry(obj: KnowledgeObject, path: str, defaults: dict[str, Any] | None = None) -> Entry:
    content: dict[str, Any] = {
        "disabled": False,
        **(defaults or {}),
        "eai:appName": obj.acl.app,
        "eai:userName": obj.acl.owner,
        **obj.content,
    }
    return Entry(obj.name, path, content, obj.acl, obj.acl.owner)


def read_routes(path: str, title: str, pick: str, defaults: dict[str, Any] | None = None) -> list[Route]:
    """List and get routes for one knowledge-object collection of the state (``pick`` names the attribute)."""

    def collection(state: SandboxState) -> ObjectCollection:
        found: ObjectCollection = getattr(state, pick)
        return found

    def list_objects(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
        objects = collection(state).visible(req.require_user(), req.namespace())
        entries = [object_entry(o, path, defaults) for o in objects]
        return FeedReply(req.list_query().apply(title, path, entries, create_link=True))

    def get_object(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        found = collection(state).find(params["name"], req.require_user(), req.namespace())
        return FeedReply(Feed(title, path, [object_entry(o, path, defaults) for o in found]))

    return [*route("GET", path, list_objects), *route("GET", f"{path}/{{name}}", get_object)]


def write_routes(
    path: str, title: str, pick: str, *, required: str, defaults: dict[str, Any], booleans: Iterable[str] = ()
) -> list[Route]:
    """Create (``name`` plus the ``required`` argument), update and delete, with splunkd's sharing rules."""
    booleans = frozenset(booleans)

    def collection(state: SandboxState) -> ObjectCollection:
        found: ObjectCollection = getattr(state, pick)
        return found

    def changes(req: SplunkdRequest) -> dict[str, Any]:
        form = req.form(exclude=("output_mode", "name"))
        unknown = sorted(k for k in form if k not in defaults and k != required)
        if unknown:
            raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
        return normalise_booleans(form, booleans)

    def create(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
        values = changes(req)
        if not values.get(required):
            raise SplunkdError(400, f"In handler '{collection(state).handler}': Missing argument: {required}")
        name = (req.get("name") or "").strip()
        obj = collection(state).create(name, req.require_user(), req.namespace(), values, time.time())
        return FeedReply(Feed(title, path, [object_entry(obj, path, defaults)]), status=201)

    def update(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        values = changes(req)
        user, ns = req.require_user(), req.namespace()
        obj = collection(state).update(params["name"], user, ns, lambda c: c.update(values), time.time())
        return FeedReply(Feed(title, path, [object_entry(obj, path, defaults)]))

    def delete(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        collection(state).delete(params["name"], req.require_user(), req.namespace())
        return FeedReply(Feed(title, path, []))

    return [
        *route("POST", path, create),
        *route("POST", f"{path}/{{name}}", update),
        *route("DELETE", f"{path}/{{name}}", delete),
    ]


ROUTES = [
    *read_routes("data/lookup-table-files", "lookup-table-files", "lookup_files"),
    *read_routes("data/transforms/lookups", "transforms-lookup", "lookup_definitions"),
    *read_routes("admin/macros", "macros", "macros"),
    *read_routes("data/ui/views", "views", "views"),
]
