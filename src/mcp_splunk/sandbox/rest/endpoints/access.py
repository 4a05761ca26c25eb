"""authentication/users, authorization/roles and authorization/capabilities: reads, and the writes SDK users
make in set-up (create, update and delete users and roles).

Users without ``edit_user``/``edit_roles`` see only themselves and their own roles, as in splunkd, and may only
change their own password (with ``oldpassword``), email and real name. A created role's index rights and
capabilities apply to its users' next request; a deleted user's sessions end at once.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mcp_splunk.sandbox.accounts import Role, User
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError, forbidden, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

_ACL = Acl(owner="system", app="", sharing="system", write=("admin",), removable=True)
_STOCK_ROLES = frozenset({"admin", "power", "user"})
_USER_FIELDS = frozenset(
    {"password", "oldpassword", "roles", "email", "realname", "defaultApp", "force-change-pass", "tz"}
)
_ROLE_FIELDS = frozenset(
    {"capabilities", "imported_roles", "srchIndexesAllowed", "srchIndexesDefault", "defaultApp", "srchJobsQuota"}
)
_CAPABILITY = re.compile(r"[A-Za-z0-9_]+")


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


def _require(state: SandboxState, req: SplunkdRequest, capability: str) -> User:
    caller = req.require_user()
    if capability not in state.accounts.capabilities(caller):
        raise forbidden(caller.name, capability)
    return caller


def _unknown_args(req: SplunkdRequest, allowed: frozenset[str]) -> None:
    unknown = sorted(k for k in req.form(exclude=("output_mode", "name")) if k not in allowed)
    if unknown:
        raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')


def _granted_roles(state: SandboxState, req: SplunkdRequest, handler: str, key: str) -> tuple[str, ...]:
    roles = tuple(dict.fromkeys(r for value in req.getall(key) for r in value.split(",") if r.strip()))
    missing = [r for r in roles if state.accounts.role(r) is None]
    if missing:
        raise SplunkdError(400, f"In handler '{handler}': Role={missing[0]} is not grantable")
    return roles


def _user_changes(state: SandboxState, req: SplunkdRequest, user: User) -> User:
    _unknown_args(req, _USER_FIELDS)
    changed = user
    if req.getall("roles"):
        changed = replace(changed, roles=_granted_roles(state, req, "users", "roles"))
    changed = replace(
        changed,
        email=req.get("email", changed.email) or "",
        realname=req.get("realname", changed.realname) or "",
        default_app=req.get("defaultApp", changed.default_app) or changed.default_app,
    )
    if (password := req.get("password")) is not None:
        if not password:
            raise SplunkdError(400, "In handler 'users': Password cannot be empty.")
        changed = replace(changed, password=password)
    return changed


def create_user(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require(state, req, "edit_user")
    name = (req.get("name") or "").strip().lower()  # splunkd keeps user names in lower case
    if not name or not req.get("password"):
        raise SplunkdError(400, "In handler 'users': Missing argument: name and password are required")
    if not req.getall("roles"):
        raise SplunkdError(400, "In handler 'users': Missing argument: roles")
    if state.accounts.user(name) is not None:
        raise SplunkdError(409, f"In handler 'users': Could not create user: User={name} already exists")
    user = _user_changes(state, req, User(name, "", ()))
    state.accounts.add_user(user)
    return FeedReply(Feed("users", "authentication/users", [_user_entry(state, user)]), status=201)


def update_user(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    caller = req.require_user()
    target = state.accounts.user(params["name"])
    admin = "edit_user" in state.accounts.capabilities(caller)
    if target is None or not (admin or target.name == caller.name):
        raise not_found("users", params["name"])
    if not admin:
        if req.getall("roles") or req.get("defaultApp") is not None:
            raise forbidden(caller.name, "edit_user")
        if req.get("password") is not None and req.get("oldpassword") != target.password:
            raise SplunkdError(400, "In handler 'users': You must provide your current password (oldpassword).")
    changed = _user_changes(state, req, target)
    state.accounts.add_user(changed)
    return FeedReply(Feed("users", "authentication/users", [_user_entry(state, changed)]))


def delete_user(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    caller = _require(state, req, "edit_user")
    target = state.accounts.user(params["name"])
    if target is None:
        raise not_found("users", params["name"])
    if target.name == caller.name:
        raise SplunkdError(400, "In handler 'users': You cannot delete your own account.")
    state.accounts.remove_user(target.name)
    return FeedReply(Feed("users", "authentication/users", []))


def _role_list(req: SplunkdRequest, key: str, current: tuple[str, ...]) -> tuple[str, ...]:
    """A multi-valued role setting: repeated arguments (or ``;``-separated, as authorize.conf writes them)."""
    if not req.getall(key):
        return current
    return tuple(dict.fromkeys(v.strip() for raw in req.getall(key) for v in raw.split(";") if v.strip()))


def _role_changes(state: SandboxState, req: SplunkdRequest, role: Role) -> Role:
    _unknown_args(req, _ROLE_FIELDS)
    capabilities = _role_list(req, "capabilities", tuple(sorted(role.capabilities)))
    if bad := [c for c in capabilities if not _CAPABILITY.fullmatch(c)]:
        raise SplunkdError(400, f"In handler 'roles': capability={bad[0][:64]} does not exist")
    imported = _granted_roles(state, req, "roles", "imported_roles") if req.getall("imported_roles") else None
    return Role(
        role.name,
        frozenset(capabilities),
        role.imported_roles if imported is None else imported,
        _role_list(req, "srchIndexesAllowed", role.indexes_allowed),
        _role_list(req, "srchIndexesDefault", role.indexes_default),
    )


def create_role(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require(state, req, "edit_roles")
    name = (req.get("name") or "").strip().lower()
    if not name:
        raise SplunkdError(400, "In handler 'roles': Missing argument: name")
    if state.accounts.role(name) is not None:
        raise SplunkdError(409, f"In handler 'roles': An object with name={name} already exists")
    # A new role starts with nothing: its capabilities and indexes are what the request grants.
    role = _role_changes(state, req, Role(name, frozenset(), (), (), ()))
    state.accounts.add_role(role)
    return FeedReply(Feed("roles", "authorization/roles", [_role_entry(role)]), status=201)


def update_role(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require(state, req, "edit_roles")
    role = state.accounts.role(params["name"])
    if role is None:
        raise not_found("roles", params["name"])
    changed = _role_changes(state, req, role)
    state.accounts.add_role(changed)
    return FeedReply(Feed("roles", "authorization/roles", [_role_entry(changed)]))


def delete_role(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require(state, req, "edit_roles")
    if state.accounts.role(params["name"]) is None:
        raise not_found("roles", params["name"])
    if params["name"] in _STOCK_ROLES:
        raise SplunkdError(400, f"In handler 'roles': Cannot delete the built-in role {params['name']}.")
    state.accounts.remove_role(params["name"])
    return FeedReply(Feed("roles", "authorization/roles", []))


def capabilities(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    every = sorted(frozenset().union(*(r.capabilities for r in state.accounts.roles())))
    entry = Entry("capabilities", "authorization/capabilities", {"capabilities": every}, _ACL, "system")
    return FeedReply(Feed("capabilities", "authorization/capabilities", [entry]))


ROUTES = [
    *route("GET", "authentication/users", list_users),
    *route("POST", "authentication/users", create_user),
    *route("GET", "authentication/users/{name}", get_user),
    *route("POST", "authentication/users/{name}", update_user),
    *route("DELETE", "authentication/users/{name}", delete_user),
    *route("GET", "authorization/roles", list_roles),
    *route("POST", "authorization/roles", create_role),
    *route("GET", "authorization/roles/{name}", get_role),
    *route("POST", "authorization/roles/{name}", update_role),
    *route("DELETE", "authorization/roles/{name}", delete_role),
    *route("GET", "authorization/capabilities", capabilities),
]
