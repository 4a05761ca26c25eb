"""Knowledge objects an agent builds searches from: macros, lookups (and their rows), and apps."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import SplunkNotFound
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.listing import (
    acl_fields,
    count_field,
    filter_field,
    flag,
    integer,
    listing,
    more_from,
    name_matches,
    offset_field,
)
from mcp_splunk.tools.outputs.knowledge import AppListing, LookupListing, LookupRows, MacroListing
from mcp_splunk.tools.paging import Page
from mcp_splunk.tools.spl_args import LookupName, quote
from mcp_splunk.tools.splunk_client import SplunkClient

TABLE_FILES = "data/lookup-table-files"
DEFINITIONS = "data/transforms/lookups"


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


class ListMacrosParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: str | None = filter_field("macros", "errors*")
    offset: int = offset_field("macro")
    count: int = count_field("macros")


class ListMacros(BaseTool):
    name = "list_macros"
    title = "List search macros"
    description = (
        "The search macros you may use, from every app: name (with its argument count, as in errors_for(1)), "
        "definition and argument names. Use it to understand a `macro` seen in a saved search or dashboard, or "
        "to reuse one in your own SPL as `name(arg)`."
    )
    annotations = read_only()
    Params = ListMacrosParams
    Result = MacroListing

    async def execute(self, params: ListMacrosParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entries = await splunk.run(kops.read_all, "admin/macros")
        rows = sorted(
            (
                {
                    "name": e["name"],
                    "definition": e["content"].get("definition") or "",
                    "args": _split(e["content"].get("args")),
                    "iseval": flag(e["content"].get("iseval")),
                    "description": e["content"].get("description") or None,
                    **acl_fields(e),
                }
                for e in entries
                if name_matches(e["name"], params.filter)
            ),
            key=lambda r: (r["name"].lower(), str(r["app"])),
        )
        return listing(
            "macros",
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
        )


def _definition_row(entry: dict[str, Any]) -> dict[str, Any]:
    c = entry["content"]
    kind = str(c.get("type") or c.get("external_type") or ("file" if c.get("filename") else "external"))
    return {
        "name": entry["name"],
        "object": "definition",
        "type": kind,
        "filename": c.get("filename") or None,
        "collection": c.get("collection") or None,
        "fields": _split(c.get("fields_list") or c.get("fields_array")) or None,
        **acl_fields(entry),
    }


def _file_row(entry: dict[str, Any], definitions: list[dict[str, Any]]) -> dict[str, Any]:
    users = [d for d in definitions if d["filename"] == entry["name"]]
    return {
        "name": entry["name"],
        "object": "table_file",
        "type": "file",
        "filename": entry["name"],
        "collection": None,
        "fields": next((d["fields"] for d in users if d["fields"]), None),
        "definitions": [d["name"] for d in users],
        **acl_fields(entry),
    }


class ListLookupsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: str | None = filter_field("lookups", "*status*")
    offset: int = offset_field("lookup")
    count: int = count_field("lookups")


class ListLookups(BaseTool):
    name = "list_lookups"
    title = "List lookups"
    description = (
        "The lookups you may use: lookup definitions (object='definition', from transforms: type file or "
        "kvstore, the file or KV Store collection behind it, and its fields) and lookup table files "
        "(object='table_file', CSV files, with the definitions that use them). Use it to find enrichment "
        "tables for | lookup or | inputlookup; read_lookup shows their rows."
    )
    annotations = read_only()
    Params = ListLookupsParams
    Result = LookupListing

    async def execute(self, params: ListLookupsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        definitions = [_definition_row(e) for e in await splunk.run(kops.read_all, DEFINITIONS)]
        files = [_file_row(e, definitions) for e in await splunk.run(kops.read_all, TABLE_FILES)]
        rows = sorted(
            (r for r in [*definitions, *files] if name_matches(r["name"], params.filter)),
            key=lambda r: (r["object"], r["name"].lower(), str(r["app"])),
        )
        return listing(
            "lookups",
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
        )


class ReadLookupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LookupName = Field(
        description="A lookup definition name (e.g. 'http_status') or a CSV lookup file name (e.g. 'http_status.csv')."
    )
    limit: int | None = Field(
        None,
        ge=1,
        description="How many rows to return at most. Default 100; the operator's maximum row limit applies.",
    )
    offset: int = Field(0, ge=0, description="Index of the first row to return, for paging. Default 0.")


async def _lookup(splunk: SplunkClient, name: str) -> dict[str, Any]:
    """The definition or table file called ``name``, so that an unknown name is a clear not-found."""
    for collection in (DEFINITIONS, TABLE_FILES):
        try:
            entry = await splunk.run(kops.read_entity, collection, name)
        except SplunkNotFound:
            continue
        return _definition_row(entry) if collection == DEFINITIONS else _file_row(entry, [])
    raise SplunkNotFound(
        f"No lookup definition or lookup table file named '{name}' that you may see (names are case-sensitive). "
        "Use list_lookups to find the names.",
        404,
    )


class ReadLookup(BaseTool):
    name = "read_lookup"
    title = "Read a lookup's rows"
    description = (
        "The rows of a lookup (a CSV file, or a definition backed by a file or the KV Store), read with "
        "inputlookup and paged. Use it to see what a lookup maps (status codes to descriptions, say) before "
        "using it in a lookup command; list_lookups finds the names."
    )
    annotations = read_only()
    Params = ReadLookupParams
    Result = LookupRows

    async def execute(self, params: ReadLookupParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        limit = min(params.limit or settings.default_row_limit, settings.max_row_limit)
        splunk = await self.get_splunk_service()
        lookup = await _lookup(splunk, params.name)
        start = f"start={params.offset} " if params.offset else ""
        # One row more than asked for tells whether there are more, without counting a large table.
        query = f"| inputlookup {start}{quote(params.name)} | head {limit + 1}"
        page = await splunk.run(ops.oneshot, query, count=limit + 1)
        rows = page.rows[:limit]
        total = params.offset + len(rows)
        if len(page.rows) > limit or (params.offset and not rows):  # more rows, or paged past the end: count
            counted = await splunk.run(ops.oneshot, f"| inputlookup {quote(params.name)} | stats count", count=1)
            found = integer(counted.rows[0].get("count")) if counted.rows else None
            if found is not None:
                total = found
            elif len(page.rows) > limit:
                total += 1  # at least one more row, though the count is unknown
        fields = page.fields or sorted({k for row in rows for k in row})
        data: dict[str, Any] = {"lookup": lookup, "fields": fields, "rows": []}
        shown = rows[: fit_rows(rows, settings.max_output_chars, around=data)]
        window = Page(min(params.offset, total), len(shown), total)
        data |= {"rows": shown, "paging": window.as_dict()}
        if cut := truncation(len(shown), len(rows), more=more_from(window.offset + window.count)):
            data["truncated"] = cut
        return ToolOutput(data)


class ListAppsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: str | None = filter_field("apps", "*security*")
    offset: int = offset_field("app")
    count: int = count_field("apps")


class ListApps(BaseTool):
    name = "list_apps"
    title = "List apps"
    description = (
        "The Splunk apps installed: name, label, version, whether visible and enabled, and a description. Use it "
        "to learn which apps (and so which dashboards, saved searches and add-on data) exist; list_dashboards "
        "with app=… shows an app's dashboards."
    )
    annotations = read_only()
    Params = ListAppsParams
    Result = AppListing

    async def execute(self, params: ListAppsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entries = await splunk.run(kops.read_all, "apps/local", owner=None, app=None)
        rows = sorted(
            (
                {
                    "name": e["name"],
                    "label": e["content"].get("label") or e["name"],
                    "version": e["content"].get("version") or None,
                    "visible": flag(e["content"].get("visible")),
                    "disabled": flag(e["content"].get("disabled")),
                    "description": e["content"].get("description") or None,
                    "author": e["content"].get("author") or None,
                }
                for e in entries
                if name_matches(e["name"], params.filter)
            ),
            key=lambda r: r["name"].lower(),
        )
        return listing(
            "apps",
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
        )


TOOLS: tuple[type[BaseTool], ...] = (ListMacros, ListLookups, ReadLookup, ListApps)
