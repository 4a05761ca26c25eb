"""authentication/httpauth-tokens: the live splunkd session keys, and revoking one (a real server-side logout).

splunklib's ``Service.logout()`` only forgets the key on the client; revoking it needs this endpoint. Users see
and revoke their own sessions; ``admin_all_objects`` covers everyone's.
"""

from __future__ import annotations

import hashlib

from mcp_splunk.sandbox.rest.entries import Acl, Entry
from mcp_splunk.sandbox.rest.replies import FeedReply, MessageReply, Reply, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

PATH = "authentication/httpauth-tokens"


def _may_see_all(state: SandboxState, req: SplunkdRequest) -> bool:
    return "admin_all_objects" in state.accounts.capabilities(req.require_user())


def list_sessions(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    owner = None if _may_see_all(state, req) else req.require_user().name
    entries = [
        # Listing shows a digest, not the key itself: reading the list must not hand out other sessions.
        Entry(
            hashlib.sha256(key.encode()).hexdigest()[:32],
            PATH,
            {"userName": user, "authString": "********"},
            Acl(owner=user, app="", sharing="system"),
            user,
            namespaced=False,
        )
        for key, user in state.accounts.sessions_of(owner)
    ]
    return FeedReply(req.list_query().apply("httpauth-tokens", PATH, entries))


def revoke_session(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    key = params["key"]
    owner = state.accounts.session_owner(key)
    if owner is None or (owner != req.require_user().name and not _may_see_all(state, req)):
        raise not_found("httpauth-tokens", "[session]")
    state.accounts.logout(key)
    return MessageReply(200, [("INFO", "Session revoked.")])


ROUTES = [
    *route("GET", PATH, list_sessions),
    *route("DELETE", f"{PATH}/{{key}}", revoke_session),
]
