"""Endpoint handlers, one module per area of splunkd's REST API; ``all_routes`` is the single route table."""

from __future__ import annotations

from mcp_splunk.sandbox.rest.endpoints import (
    access,
    acl,
    apps,
    authoring_lookups,
    authoring_views,
    confs,
    eventtypes,
    indexes,
    inputs,
    jobs,
    knowledge,
    kvstore,
    passwords,
    saved,
    saved_extras,
    server,
    sessions,
)
from mcp_splunk.sandbox.rest.entries import Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import Route
from mcp_splunk.sandbox.state import SandboxState


def all_routes() -> list[Route]:
    routes = [
        *server.ROUTES,
        *access.ROUTES,
        *indexes.ROUTES,
        *apps.ROUTES,
        *jobs.ROUTES,
        *saved.ROUTES,
        *saved_extras.ROUTES,
        *eventtypes.ROUTES,
        *kvstore.ROUTES,
        *knowledge.ROUTES,
        *confs.ROUTES,
        *passwords.ROUTES,
        *sessions.ROUTES,
        *inputs.ROUTES,
        *authoring_views.ROUTES,
        *authoring_lookups.ROUTES,
    ]
    # After the specific routes: ".../{name}/acl" must not shadow a knowledge object named "acl".
    return [*routes, *acl.ROUTES, _root_route(routes)]


def _root_route(routes: list[Route]) -> Route:
    """``GET /services``: one bare entry per top-level area served, as splunkd lists them (a cheap login check
    for scripts)."""
    areas = sorted({r.pattern[0] for r in routes if r.pattern and "{" not in r.pattern[0]})

    def listing(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
        entries = [Entry(a, "", {}, namespaced=False, bare=True) for a in areas]
        return FeedReply(Feed("services", "", entries, per_page=len(entries)))

    return Route(frozenset({"GET"}), (), listing)
