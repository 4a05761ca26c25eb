"""storage/passwords: the credentials apps keep in splunkd (passwords.conf), per app and owner.

An entry is named ``<realm>:<username>:`` (``:`` inside either part escaped as ``\\:``) and shows the secret in
clear (``clear_password``) to whoever may list stored passwords, as splunkd does; a gateway must mask it.
Listing needs ``list_storage_passwords``, writing ``admin_all_objects``.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from mcp_splunk.sandbox.objects import KnowledgeObject
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError, forbidden
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

PATH = "storage/passwords"
_TITLE = "passwords"


def _escape(part: str) -> str:
    return part.replace("\\", "\\\\").replace(":", "\\:")


def _require(state: SandboxState, req: SplunkdRequest, capability: str) -> None:
    user = req.require_user()
    if capability not in state.accounts.capabilities(user):
        raise forbidden(user.name, capability)


def password_entry(state: SandboxState, obj: KnowledgeObject) -> Entry:
    secret = str(obj.content["clear_password"])
    # A stand-in for splunkd's $7$ ciphertext: stable, and no way back to the secret.
    digest = hashlib.sha256(f"{obj.name}\0{secret}".encode()).digest()
    content: dict[str, Any] = {
        "clear_password": secret,
        "encr_password": "$7$" + base64.b64encode(digest).decode(),
        "password": "********",
        "realm": obj.content["realm"],
        "username": obj.content["username"],
        "eai:appName": obj.acl.app,
        "eai:userName": obj.acl.owner,
    }
    return Entry(obj.name, PATH, content, obj.acl, obj.acl.owner)


def list_passwords(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require(state, req, "list_storage_passwords")
    entries = [password_entry(state, o) for o in state.passwords.visible(req.require_user(), req.namespace())]
    return FeedReply(req.list_query().apply(_TITLE, PATH, entries, create_link=True))


def get_password(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require(state, req, "list_storage_passwords")
    found = state.passwords.find(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed(_TITLE, PATH, [password_entry(state, o) for o in found]))


def create_password(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    _require(state, req, "admin_all_objects")
    username, password, realm = req.get("name") or "", req.get("password"), req.get("realm") or ""
    if not username or password is None:
        raise SplunkdError(400, "In handler 'passwords': Missing argument: name and password are required")
    name = f"{_escape(realm)}:{_escape(username)}:"
    content = {"clear_password": password, "realm": realm, "username": username}
    obj = state.passwords.create(name, req.require_user(), req.namespace(), content, time.time())
    return FeedReply(Feed(_TITLE, PATH, [password_entry(state, obj)]), status=201)


def update_password(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require(state, req, "admin_all_objects")
    password = req.get("password")
    if password is None:
        raise SplunkdError(400, "In handler 'passwords': Missing argument: password")
    user, ns = req.require_user(), req.namespace()
    obj = state.passwords.update(params["name"], user, ns, lambda c: c.update(clear_password=password), time.time())
    return FeedReply(Feed(_TITLE, PATH, [password_entry(state, obj)]))


def delete_password(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    _require(state, req, "admin_all_objects")
    state.passwords.delete(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed(_TITLE, PATH, []))


ROUTES = [
    *route("GET", PATH, list_passwords),
    *route("POST", PATH, create_password),
    *route("GET", f"{PATH}/{{name}}", get_password),
    *route("POST", f"{PATH}/{{name}}", update_password),
    *route("DELETE", f"{PATH}/{{name}}", delete_password),
]
