"""saved/eventtypes: event types, named searches that tag matching events (``eventtype=<name>`` in SPL)."""

from __future__ import annotations

from typing import Any

from mcp_splunk.sandbox.rest.endpoints.knowledge import read_routes, write_routes

PATH = "saved/eventtypes"
DEFAULTS: dict[str, Any] = {"search": "", "description": "", "priority": 1, "color": "", "tags": "", "disabled": False}

ROUTES = [
    *read_routes(PATH, "eventtypes", "eventtypes", DEFAULTS),
    *write_routes(PATH, "eventtypes", "eventtypes", required="search", defaults=DEFAULTS, booleans=("disabled",)),
]
