"""``<knowledge object>/acl``: read and change one object's sharing, owner and permissions.

splunkd serves ``/acl`` below every knowledge object; a POST takes ``sharing`` and ``owner`` (both required,
as splunklib's ``Entity.acl_update`` enforces) and optional ``perms.read``/``perms.write`` role lists. Sharing
an object in an app needs the app's write permission; giving it to another owner needs ``admin_all_objects``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mcp_splunk.sandbox.objects import AclChange, KnowledgeObject, ObjectCollection
from mcp_splunk.sandbox.rest.endpoints.eventtypes import DEFAULTS as EVENTTYPE_DEFAULTS
from mcp_splunk.sandbox.rest.endpoints.eventtypes import PATH as EVENTTYPES
from mcp_splunk.sandbox.rest.endpoints.knowledge import object_entry
from mcp_splunk.sandbox.rest.endpoints.kvstore import CONFIG, collection_entry
from mcp_splunk.sandbox.rest.endpoints.passwords import PATH as PASSWORDS
from mcp_splunk.sandbox.rest.endpoints.passwords import password_entry
from mcp_splunk.sandbox.rest.endpoints.saved import PATH as SAVED
from mcp_splunk.sandbox.rest.endpoints.saved import saved_entry
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import Route, route
from mcp_splunk.sandbox.state import SandboxState

EntryOf = Callable[[SandboxState, KnowledgeObject], Entry]
SHARINGS = ("user", "app", "global")


def _plain(path: str) -> EntryOf:
    return lambda _state, obj: object_entry(obj, path)


# collection path -> (state attribute, feed title, entry builder)
_TARGETS: dict[str, tuple[str, str, EntryOf]] = {
    SAVED: ("saved_searches", "savedsearch", saved_entry),
    EVENTTYPES: ("eventtypes", "eventtypes", lambda _state, obj: object_entry(obj, EVENTTYPES, EVENTTYPE_DEFAULTS)),
    "admin/macros": ("macros", "macros", _plain("admin/macros")),
    "data/ui/views": ("views", "views", _plain("data/ui/views")),
    "data/transforms/lookups": ("lookup_definitions", "transforms-lookup", _plain("data/transforms/lookups")),
    "data/lookup-table-files": ("lookup_files", "lookup-table-files", _plain("data/lookup-table-files")),
    CONFIG: ("kv_collections", "collections-conf", lambda _state, obj: collection_entry(obj)),
    PASSWORDS: ("passwords", "passwords", password_entry),
}


def _roles(text: str | None) -> tuple[str, ...]:
    return tuple(r.strip() for r in (text or "").split(",") if r.strip())


def _handler(path: str) -> Callable[[SandboxState, SplunkdRequest, dict[str, str]], Reply]:
    attribute, title, entry_of = _TARGETS[path]

    def acl(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
        collection: ObjectCollection = getattr(state, attribute)
        user, ns = req.require_user(), req.namespace()
        if req.method == "GET":
            obj = collection.get(params["name"], user, ns)
            return FeedReply(Feed(title, path, [entry_of(state, obj)]))
        sharing, owner = req.get("sharing"), req.get("owner")
        if not sharing or not owner:
            raise SplunkdError(400, "Missing argument: both sharing and owner are required to change an ACL.")
        if sharing not in SHARINGS:
            raise SplunkdError(400, f"Argument 'sharing' must be one of {', '.join(SHARINGS)}; got '{sharing[:32]}'.")
        if state.accounts.user(owner) is None and owner != "nobody":
            raise SplunkdError(400, f"Cannot set owner '{owner[:64]}': no such user.")
        change = AclChange(sharing, owner, _roles(req.get("perms.read")), _roles(req.get("perms.write")))
        obj = collection.set_acl(params["name"], user, ns, change, time.time())
        return FeedReply(Feed(title, path, [entry_of(state, obj)]))

    return acl


ROUTES: list[Route] = [r for path in _TARGETS for r in route("GET POST", f"{path}/{{name}}/acl", _handler(path))]
