"""apps/local: the apps a fresh Splunk Enterprise has, plus the sandbox's own."""

from __future__ import annotations

from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

# (name, label, visible, description)
_APPS = (
    ("launcher", "Home", True, "The Splunk home app."),
    ("learned", "learned", False, "Sourcetypes learned at index time."),
    ("search", "Search & Reporting", True, "Search, report and alert on your data."),
    ("splunk_httpinput", "HTTP Event Collector", False, "The HTTP Event Collector input."),
    ("splunk_monitoring_console", "Monitoring Console", True, "Monitor the health of your deployment."),
    ("sandbox_sample_data", "Sandbox sample data", True, "Sample web, security and application data."),
)


def _entries(version: str) -> list[Entry]:
    """The apps, versioned like the server, as Splunk's own bundled apps are."""
    entries = []
    for name, label, visible, description in _APPS:
        content = {
            "author": "Splunk",
            "check_for_updates": False,
            "configured": True,
            "description": description,
            "disabled": False,
            "label": label,
            "state_change_requires_restart": False,
            "version": version,
            "visible": visible,
        }
        acl = Acl(owner="system", app=name, sharing="app", write=("admin",), removable=False)
        entries.append(Entry(name, "apps/local", content, acl, "system"))
    return entries


def list_apps(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    return FeedReply(
        req.list_query().apply("localapps", "apps/local", _entries(state.options.version), create_link=True)
    )


def get_app(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    for entry in _entries(state.options.version):
        if entry.name == params["name"]:
            return FeedReply(Feed("localapps", "apps/local", [entry]))
    raise not_found("localapps", params["name"])


ROUTES = [
    *route("GET", "apps/local", list_apps),
    *route("GET", "apps/local/{name}", get_app),
]
