"""Dashboard writes (only with writes enabled): create, replace and delete dashboards in the request's app.

A dashboard's searches run whenever someone opens it, so each one passes the SPL policy before anything is saved.
Simple XML is parsed with defusedxml (no DTD, no entities) and must have a ``<dashboard>`` or ``<form>`` root;
Dashboard Studio JSON must have the v2 definition's shape (``visualizations`` and ``dataSources`` objects) and is
stored as splunkd stores it, in a ``<dashboard version="2">`` with the JSON in its ``<definition>``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import (
    InvalidArgument,
    PolicyViolation,
    SplunkNotFound,
    SplunkRequestError,
)
from mcp_splunk.splunk import authoring_ops
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.tools.base import BaseTool, ToolOutput, mutating
from mcp_splunk.tools.confirmation import user_confirms
from mcp_splunk.tools.listing import acl_fields
from mcp_splunk.tools.namespaced_writes import NamespacedWriteTool
from mcp_splunk.tools.outputs.authoring import DashboardDeleted, DashboardState
from mcp_splunk.tools.splunk_client import SplunkClient

Format = Literal["simple_xml", "studio"]
# What Splunk Web accepts as a dashboard id: letters, digits, underscores and dashes.
DashboardName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,99}$")]
_MAX_SOURCE = 1_000_000
# A $token$ is filled in by the viewer; it is judged as a plain word, so a token where a command would stand
# makes the search refused (no command is called that) rather than let the viewer pick the command.
_TOKEN = re.compile(r"\$[^$\s]+\$")
_SEARCH_SOURCES = frozenset({"ds.search", "ds.chain"})
_SOURCE = (
    "The dashboard: Simple XML (root <dashboard> or <form>, e.g. '<dashboard><label>Web</label><row><panel><table>"
    "<search><query>index=web | top uri</query></search></table></panel></row></dashboard>') or Dashboard Studio "
    "JSON (an object with 'visualizations' and 'dataSources', each ds.search with options.query)."
)


def _simple_xml(source: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(label, searches) of a Simple XML source, or InvalidArgument saying what is wrong with it."""
    try:
        root = SafeXml.fromstring(source, forbid_dtd=True)
    except DefusedXmlException:
        raise InvalidArgument("definition declares a DTD or entities, which dashboards may not use.") from None
    except SafeXml.ParseError as exc:
        raise InvalidArgument(f"definition is not well-formed XML ({exc}); fix the XML.") from None
    if root.tag not in ("dashboard", "form"):
        raise InvalidArgument(f"definition's root element is <{root.tag}>; a dashboard's is <dashboard> or <form>.")
    label = (root.findtext("label") or "").strip() or None
    searches = [
        {"id": s.get("id"), "query": text.strip()}
        for s in root.iter("search")
        if (text := s.findtext("query") or s.findtext("searchString")) and text.strip()
    ]
    return label, searches


def _studio(source: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(title, searches) of a Dashboard Studio definition, or InvalidArgument saying what is wrong with it."""
    try:
        spec = json.loads(source)
    except ValueError as exc:
        raise InvalidArgument(f"definition is not valid JSON ({exc}); fix the JSON.") from None
    if not isinstance(spec, dict):
        raise InvalidArgument("definition must be a JSON object (a Dashboard Studio v2 definition).")
    sources, visualizations = spec.get("dataSources"), spec.get("visualizations")
    if not isinstance(sources, dict) or not isinstance(visualizations, dict):
        raise InvalidArgument("definition needs 'dataSources' and 'visualizations' objects (Dashboard Studio v2).")
    searches = []
    for key, ds in sources.items():
        if not isinstance(ds, dict) or not isinstance(ds.get("type"), str):
            raise InvalidArgument(f"dataSources.{key} must be an object with a 'type', e.g. 'ds.search'.")
        query = (ds.get("options") or {}).get("query")
        if ds["type"] in _SEARCH_SOURCES:
            if not isinstance(query, str) or not query.strip():
                raise InvalidArgument(f"dataSources.{key}: a {ds['type']} needs options.query (the SPL).")
            searches.append({"id": key, "query": query.strip()})
    for key, viz in visualizations.items():
        used = (viz.get("dataSources") or {}) if isinstance(viz, dict) else None
        if not isinstance(used, dict):
            raise InvalidArgument(f"visualizations.{key} must be an object whose 'dataSources' is an object.")
        missing = sorted(str(v) for v in used.values() if v not in sources)
        if missing:
            raise InvalidArgument(f"visualizations.{key} uses data source '{missing[0]}', which dataSources lacks.")
    title = spec.get("title") if isinstance(spec.get("title"), str) else None
    return title, searches


def _studio_xml(definition: str, label: str) -> str:
    # CDATA cannot hold "]]>": split it across two sections, as XML writers do.
    body = definition.replace("]]>", "]]]]><![CDATA[>")
    return (
        f'<dashboard version="2" theme="light">\n  <label>{escape(label)}</label>\n'
        f"  <definition><![CDATA[{body}]]></definition>\n</dashboard>\n"
    )


class DashboardParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DashboardName = Field(
        description="The dashboard's name (its id in URLs: letters, digits, _ and -), e.g. 'web_errors'."
    )
    definition: str = Field(min_length=1, max_length=_MAX_SOURCE, description=_SOURCE)
    format: Format | None = Field(
        None, description="'simple_xml' or 'studio'. Default: studio when definition starts with '{', else XML."
    )
    label: str | None = Field(
        None, min_length=1, max_length=200, description="For Studio: the title shown. Default: its 'title', or name."
    )


class _DashboardTool(NamespacedWriteTool):
    objects = "dashboards"
    writes = True

    async def checked_source(self, splunk: SplunkClient, params: DashboardParams) -> dict[str, Any]:
        """What to store and report, once the definition is valid and every search in it passes the policy."""
        kind = params.format or ("studio" if params.definition.lstrip().startswith("{") else "simple_xml")
        label: str | None
        if kind == "studio":
            title, searches = _studio(params.definition)
            label = params.label or title or params.name
            source = _studio_xml(params.definition, label)
        else:
            label, searches = _simple_xml(params.definition)
            source = params.definition
        for search in searches:
            verdict = await self.deps.guard.verdict(splunk, _TOKEN.sub("_token_", search["query"]))
            if not verdict.allowed:
                where = f"search '{search['id']}'" if search["id"] else f"the search '{search['query'][:80]}'"
                raise PolicyViolation(
                    f"Nothing was saved: {where} breaks the gateway's policy. {verdict.reason} Dashboard searches "
                    "may only read; change what is named."
                )
        return {"source": source, "label": label, "format": kind, "searches_checked": searches}

    async def read(self, splunk: SplunkClient, name: str) -> dict[str, Any]:
        try:
            found: dict[str, Any] = await splunk.run(
                kops.read_entity, authoring_ops.VIEWS, name, **self.namespace(splunk)
            )
        except SplunkNotFound:
            raise SplunkNotFound(
                f"No dashboard named '{name}' in app '{splunk.config.app}' visible to this identity (use the name, "
                "not the label). Find it with list_dashboards.",
                404,
            ) from None
        return found


def _state(entry: dict[str, Any], checked: dict[str, Any]) -> dict[str, Any]:
    content = entry.get("content", {})
    return {
        "name": entry.get("name"),
        **{k: v for k, v in acl_fields(entry).items() if k in ("app", "owner")},
        "label": content.get("label") or checked["label"],
        "format": checked["format"],
        "root_node": content.get("rootNode") or None,
        "searches_checked": checked["searches_checked"],
    }


class CreateDashboard(_DashboardTool):
    name = "create_dashboard"
    title = "Create a dashboard"
    description = (
        "Save a new dashboard in this request's app from Simple XML or Dashboard Studio JSON. It is validated "
        "first (well-formed, the right root or v2 shape) and every search in it must pass the gateway's SPL "
        "policy. get_dashboard reads it back; update_dashboard replaces it."
    )
    annotations = mutating(destructive=False, idempotent=False)
    Params = DashboardParams
    Result = DashboardState

    async def execute(self, params: DashboardParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        checked = await self.checked_source(splunk, params)
        try:
            entry = await self.write(splunk, authoring_ops.create_view, params.name, checked["source"])
        except SplunkRequestError as exc:
            if exc.status != 409:
                raise
            raise InvalidArgument(
                f"A dashboard named '{params.name}' already exists in app '{splunk.config.app}'. Replace it with "
                "update_dashboard, or choose another name."
            ) from None
        return ToolOutput(_state(entry or {"name": params.name}, checked))


class UpdateDashboard(_DashboardTool):
    name = "update_dashboard"
    title = "Replace a dashboard"
    description = (
        "Replace an existing dashboard's source (Simple XML or Dashboard Studio JSON) with a new one, validated "
        "and policy-checked as create_dashboard does. The old source is gone afterwards: read it with "
        "get_dashboard first if it may be needed."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = DashboardParams
    Result = DashboardState

    async def execute(self, params: DashboardParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        current = await self.read(splunk, params.name)
        checked = await self.checked_source(splunk, params)
        old = str(current["content"].get("eai:data") or "")
        await user_confirms(
            f"Replace dashboard '{params.name}' (app {current['acl'].get('app')}; {len(old)} characters of source) "
            f"with the new {checked['format']} definition ({len(checked['searches_checked'])} searches)?",
            confirm=True,
        )
        entry = await self.write(splunk, authoring_ops.update_view, params.name, checked["source"])
        return ToolOutput(_state(entry or current, checked) | {"replaced": True})


class DeleteDashboardParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DashboardName = Field(description="The name of the dashboard to delete.")
    confirm: bool = Field(
        False, description="Must be true to delete. Without it nothing is deleted and the error shows what would be."
    )


class DeleteDashboard(_DashboardTool):
    name = "delete_dashboard"
    title = "Delete a dashboard"
    description = (
        "Delete a dashboard by name from this request's app; needs confirm=true (or the user's yes, when the "
        "client can ask), and a call without it only shows what would be deleted."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = DeleteDashboardParams
    Result = DashboardDeleted

    async def execute(self, params: DeleteDashboardParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        current = await self.read(splunk, params.name)
        acl = acl_fields(current)
        label = current["content"].get("label") or params.name
        what = f"dashboard '{params.name}' ('{label}', app {acl['app']}, owner {acl['owner']})"
        if not await user_confirms(f"Delete {what}?", confirm=params.confirm):
            raise InvalidArgument(
                f"Not deleted: confirm is not true. This call would delete {what}. Call again with confirm: true "
                "to delete it."
            )
        await self.write(splunk, authoring_ops.delete_view, params.name)
        return ToolOutput({"deleted": params.name, "app": acl["app"], "owner": acl["owner"], "label": label})


TOOLS: tuple[type[BaseTool], ...] = (CreateDashboard, UpdateDashboard, DeleteDashboard)
