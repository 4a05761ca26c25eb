"""Endpoint handlers, one module per area of splunkd's REST API; ``all_routes`` is the single route table."""

from __future__ import annotations

from mcp_splunk.sandbox.rest.endpoints import (
    access,
    apps,
    confs,
    indexes,
    jobs,
    knowledge,
    kvstore,
    saved,
    server,
    sessions,
)
from mcp_splunk.sandbox.rest.routes import Route


def all_routes() -> list[Route]:
    return [
        *server.ROUTES,
        *access.ROUTES,
        *indexes.ROUTES,
        *apps.ROUTES,
        *jobs.ROUTES,
        *saved.ROUTES,
        *kvstore.ROUTES,
        *knowledge.ROUTES,
        *confs.ROUTES,
        *sessions.ROUTES,
    ]
