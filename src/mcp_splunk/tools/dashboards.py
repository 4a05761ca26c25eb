"""Dashboards (``data/ui/views``): list them, and read one with the searches behind its panels."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import SplunkNotFound
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.limits import STRUCTURED_SHARE, fit_rows, fit_text, json_size, truncation
from mcp_splunk.tools.listing import (
    AppName,
    ObjectName,
    acl_fields,
    count_field,
    flag,
    listing,
    name_matches,
    offset_field,
)
from mcp_splunk.tools.outputs.knowledge import Dashboard, DashboardListing

VIEWS = "data/ui/views"
_LIST_KEYS = ("label", "isDashboard", "isVisible", "rootNode", "version")
# Simple XML elements that show a search's results (or drive a form input from one).
_SHOWN_BY = frozenset({"chart", "table", "single", "event", "map", "viz", "html", "input"})
_NOTE_ROOM = 600  # the truncation notes added after the searches and the source are fitted
_MORE = (
    "Cut to fit the output limit (MCP_SPLUNK_MAX_OUTPUT_CHARS): the whole dashboard is in Splunk Web, or ask the "
    "operator to raise the limit."
)


class ListDashboardsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: AppName | None = Field(
        None, description="Only dashboards of this app (its name, e.g. 'search'). Default: all."
    )
    filter: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description=(
            "Only dashboards whose name or label contains this text (case-insensitive), or matches it as a "
            "wildcard pattern when it holds * or ?, e.g. '*overview*'. Default: all."
        ),
    )
    include_views: bool = Field(
        False, description="Also list views that are not dashboards (search pages, app pages). Default false."
    )
    offset: int = offset_field("dashboard")
    count: int = count_field("dashboards")


class ListDashboards(BaseTool):
    name = "list_dashboards"
    title = "List dashboards"
    description = (
        "The dashboards you may see, in every app or one: name, label, app, owner and sharing. Use it to find "
        "dashboards about a topic; get_dashboard returns one dashboard's panels with the SPL behind each, which "
        "is often the quickest way to a working search."
    )
    annotations = read_only()
    Params = ListDashboardsParams
    Result = DashboardListing

    async def execute(self, params: ListDashboardsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entries = await splunk.run(kops.read_all, VIEWS, fields=_LIST_KEYS)
        rows = []
        for entry in entries:
            c = entry["content"]
            row = {
                "name": entry["name"],
                "label": c.get("label") or entry["name"],
                **acl_fields(entry),
                "isDashboard": flag(c.get("isDashboard", True)),
                "isVisible": flag(c.get("isVisible", True)),
                "rootNode": c.get("rootNode") or None,
            }
            if params.app is not None and row["app"] != params.app:
                continue
            if not (row["isDashboard"] or params.include_views):
                continue
            if params.filter and not (
                name_matches(row["name"], params.filter) or name_matches(str(row["label"]), params.filter)
            ):
                continue
            rows.append(row)
        rows.sort(key=lambda r: (r["name"].lower(), str(r["app"])))
        return listing(
            "dashboards",
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
            extra={"app": params.app},
        )


def _text(element: ElementTree.Element | None, tag: str) -> str | None:
    found = element.findtext(tag) if element is not None else None
    return found.strip() if found and found.strip() else None


def _simple_xml_searches(root: ElementTree.Element) -> list[dict[str, Any]]:
    """Every search in a Simple XML dashboard, in document order, with the panel and element that show it."""
    parents = {child: parent for parent in root.iter() for child in parent}
    searches: list[dict[str, Any]] = []
    for search in root.iter("search"):
        shown_by: ElementTree.Element | None = None
        panel: ElementTree.Element | None = None
        node = parents.get(search)
        while node is not None:
            if shown_by is None and node.tag in _SHOWN_BY:
                shown_by = node
            if node.tag == "panel":
                panel = node
                break
            node = parents.get(node)
        title = _text(shown_by, "title") or _text(panel, "title")
        if shown_by is not None and shown_by.tag == "input":
            title = _text(shown_by, "label") or shown_by.get("token")
        searches.append(
            {
                "panel": title,
                "type": shown_by.tag if shown_by is not None else ("panel" if panel is not None else "base"),
                "id": search.get("id"),
                "base": search.get("base"),
                "saved_search": search.get("ref"),
                "query": _text(search, "query") or _text(search, "searchString"),
                "earliest": _text(search, "earliest"),
                "latest": _text(search, "latest"),
            }
        )
    return searches


def _studio_searches(definition: str) -> list[dict[str, Any]]:
    """The data sources of a Dashboard Studio definition (JSON), with the visualizations that use them."""
    spec = json.loads(definition)
    sources = spec.get("dataSources") or {}
    visualizations = spec.get("visualizations") or {}
    searches = []
    for key, source in sources.items():
        options = source.get("options") or {}
        window = options.get("queryParameters") or {}
        users = [
            v.get("title") or k for k, v in visualizations.items() if key in ((v.get("dataSources") or {}).values())
        ]
        searches.append(
            {
                "panel": ", ".join(users) or source.get("name") or None,
                "type": source.get("type"),
                "id": key,
                "base": options.get("extend"),
                "saved_search": options.get("ref"),
                "query": options.get("query"),
                "earliest": window.get("earliest"),
                "latest": window.get("latest"),
            }
        )
    return searches


def panel_searches(source: str) -> tuple[dict[str, str | None], list[dict[str, Any]], str | None]:
    """(label and description, the searches, a parse problem or None) of a dashboard's source."""
    if "<!doctype" in source.lower() or "<!entity" in source.lower():
        return {}, [], "the source declares a DOCTYPE or entities, which are not parsed"
    try:
        # Splunk's own Simple XML; a DOCTYPE (and so any entity) was refused above, and expat resolves no
        # external resources.
        root = ElementTree.fromstring(source)  # noqa: S314
    except ElementTree.ParseError as exc:
        return {}, [], f"the source is not well-formed XML ({exc})"
    about = {"label": _text(root, "label"), "description": _text(root, "description")}
    definition = _text(root, "definition")
    if root.get("version") == "2" and definition:
        try:
            return about, _studio_searches(definition), None
        except (ValueError, AttributeError, TypeError):
            return about, [], "the Dashboard Studio definition is not valid JSON"
    return about, _simple_xml_searches(root), None


class GetDashboardParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ObjectName = Field(description="The dashboard's name (not its label), as list_dashboards shows it.")


class GetDashboard(BaseTool):
    name = "get_dashboard"
    title = "Dashboard and its searches"
    description = (
        "One dashboard: its label, description, app and owner, the searches behind its panels (panel title, "
        "visualization, SPL, time range, or the saved search or base search it uses) and its Simple XML source. "
        "Use the panel searches as ready-made SPL for run_search; list_dashboards finds the name."
    )
    annotations = read_only()
    Params = GetDashboardParams
    Result = Dashboard

    async def execute(self, params: GetDashboardParams) -> ToolOutput:
        max_chars = self.deps.settings.gateway.max_output_chars
        splunk = await self.get_splunk_service()
        try:
            entry = await splunk.run(kops.read_entity, VIEWS, params.name)
        except SplunkNotFound:
            raise SplunkNotFound(
                f"No dashboard named '{params.name}' that you may see (use the name, not the label; names are "
                "case-sensitive). Use list_dashboards to find it.",
                404,
            ) from None
        content = entry["content"]
        source = str(content.get("eai:data") or "")
        about, searches, problem = panel_searches(source)
        data: dict[str, Any] = {
            "name": entry["name"],
            "label": content.get("label") or about.get("label") or entry["name"],
            "description": about.get("description"),
            **acl_fields(entry),
            "isDashboard": flag(content.get("isDashboard", True)),
            "rootNode": content.get("rootNode") or None,
            "searches": [],
            "source": "",
        }
        if problem:
            data["parse_problem"] = problem
        # The searches first, in up to half of the structured share; then as much of the source as still fits.
        shown = searches[: fit_rows(searches, max_chars // 2, around=data)]
        data["searches"] = shown
        room = int(max_chars * STRUCTURED_SHARE) - json_size(data) - _NOTE_ROOM
        keep = fit_text(source, room)
        data["source"] = source[:keep]
        cut = {}
        if searches_cut := truncation(len(shown), len(searches), more=_MORE):
            cut["searches"] = searches_cut
        if keep < len(source):
            cut["source"] = {
                "reason": "output_limit",
                "chars_returned": keep,
                "chars_available": len(source),
                "hint": _MORE,
            }
        if cut:
            data["truncated"] = cut
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (ListDashboards, GetDashboard)
