"""Read endpoints for knowledge objects: lookup files and definitions, macros and dashboards (views)."""

from __future__ import annotations

from typing import Any

from mcp_splunk.sandbox.objects import KnowledgeObject, ObjectCollection
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import Route, route
from mcp_splunk.sandbox.state import SandboxState


def object_entry(obj: KnowledgeObject, path: str) -> Entry:
    content: dict[str, Any] = {
        "disabled": False,
        "eai:appName": obj.acl.app,
        "eai:userName": obj.acl.owner,
        **obj.content,
    }
    return Entry(obj.name, path, content, obj.acl, obj.acl.owner)


def _read_routes(path: str, title: str, pick: str) -> list[Route]:
    """List and get routes for one knowledge-object collection of the state (``pick`` names the attribute)."""

    def collection(state: SandboxState) -> ObjectCollection:
        found: ObjectCollection = getattr(state, pick)
        return found

    def list_objects(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
        objects = collection(state).visible(req.require_user(), req.namespace())
        return FeedReply(req.list_query().apply(title, path, [object_entry(o, path) for o in objects]))

    def get_object(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        obj = collection(state).get(params["name"], req.require_user(), req.namespace())
        return FeedReply(Feed(title, path, [object_entry(obj, path)]))

    return [*route("GET", path, list_objects), *route("GET", f"{path}/{{name}}", get_object)]


ROUTES = [
    *_read_routes("data/lookup-table-files", "lookup-table-files", "lookup_files"),
    *_read_routes("data/transforms/lookups", "transforms-lookup", "lookup_definitions"),
    *_read_routes("admin/macros", "macros", "macros"),
    *_read_routes("data/ui/views", "views", "views"),
]
