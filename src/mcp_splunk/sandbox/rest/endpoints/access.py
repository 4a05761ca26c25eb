"""authentication/users, authorization/roles and authorization/capabilities.

Users without ``edit_user``/``edit_roles`` see only themselves and their own roles, as in splunkd.
"""

from __future__ import annotations

from mcp_splunk.sandbox.accounts import Role, User
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

_ACL = Acl(owner="system", app="", sharing="system", write=("admin",))


def _user_entry(state: SandboxState, user: User) -> Entry:
    content = {
        "realname": user.realname,
        "email": user.email,
        "roles": list(user.roles),
        "defaultApp": user.default_app,
        "type": "Splunk",
        "tz": "",
        "capabilities": sorted(state.accounts.capabilities(user)),
        "locked-out": False,
    }
    return Entry(user.name, "authentication/users", content, _ACL, "system")


def _role_entry(role: Role) -> Entry:
    content = {
        "capabilities": sorted(role.capabilities),
        "imported_roles": list(role.imported_roles),
        "srchIndexesAllowed": list(role.indexes_allowed),
        "srchIndexesDefault": list(role.indexes_default),
        "srchJobsQuota": 3 if role.name == "user" else 50,
        "rtSrchJobsQuota": 6,
        "srchDiskQuota": 100,
        "defaultApp": "",
    }
    return Entry(role.name, "authorization/roles", content, _ACL, "system")


def _visible_users(state: SandboxState, req: SplunkdRequest) -> list[User]:
    caller = req.require_user()
    if "edit_user" in state.accounts.capabilities(caller):
        return state.accounts.users()
    return [caller]


def _visible_roles(state: SandboxState, req: SplunkdRequest) -> list[Role]:
    caller = req.require_user()
    if "edit_roles" in state.accounts.capabilities(caller):
        return state.accounts.roles()
    own = state.accounts.role_names(caller)
    return [r for r in state.accounts.roles() if r.name in own]


def list_users(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    entries = [_user_entry(state, u) for u in _visible_users(state, req)]
    return FeedReply(req.list_query().apply("users", "authentication/users", entries, create_link=True))


def get_user(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    wanted = params["name"].lower()
    for user in _visible_users(state, req):
        if user.name.lower() == wanted:
            return FeedReply(Feed("users", "authentication/users", [_user_entry(state, user)]))
    raise not_found("users", params["name"])


def list_roles(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    entries = [_role_entry(r) for r in _visible_roles(state, req)]
    return FeedReply(req.list_query().apply("roles", "authorization/roles", entries, create_link=True))


def get_role(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    for role in _visible_roles(state, req):
        if role.name == params["name"]:
            return FeedReply(Feed("roles", "authorization/roles", [_role_entry(role)]))
    raise not_found("roles", params["name"])


def capabilities(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    every = sorted(frozenset().union(*(r.capabilities for r in state.accounts.roles())))
    entry = Entry("capabilities", "authorization/capabilities", {"capabilities": every}, _ACL, "system")
    return FeedReply(Feed("capabilities", "authorization/capabilities", [entry]))


ROUTES = [
    *route("GET", "authentication/users", list_users),
    *route("GET", "authentication/users/{name}", get_user),
    *route("GET", "authorization/roles", list_roles),
    *route("GET", "authorization/roles/{name}", get_role),
    *route("GET", "authorization/capabilities", capabilities),
]
