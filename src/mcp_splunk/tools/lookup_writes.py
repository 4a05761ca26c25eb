"""Lookup writes (only with writes enabled): upload a CSV lookup table file and define a lookup on it.

The CSV is checked before it leaves the gateway: at most MCP_SPLUNK_MAX_LOOKUP_BYTES, a header of unique non-empty
names, the same number of cells in every row, and no cell that a spreadsheet would run as a formula (one starting
with =, +, -, @, a tab or a carriage return, unless it is a plain number such as -5). Such cells are refused, not
escaped: an escaped value would no longer match the events a lookup enriches. Replacing an existing file is
destructive and asks first (``confirm: true`` for clients that cannot ask).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import InvalidArgument, SplunkNotFound, SplunkRequestError
from mcp_splunk.splunk import authoring_ops
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.tools.base import BaseTool, ToolOutput, mutating
from mcp_splunk.tools.confirmation import user_confirms
from mcp_splunk.tools.knowledge import DEFINITIONS, TABLE_FILES
from mcp_splunk.tools.listing import acl_fields, flag
from mcp_splunk.tools.namespaced_writes import NamespacedWriteTool
from mcp_splunk.tools.outputs.authoring import LookupDefinitionState, LookupFileWritten
from mcp_splunk.tools.spl_args import LookupName
from mcp_splunk.tools.splunk_client import SplunkClient

LookupFileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,95}\.csv$")]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _risky(cell: str) -> bool:
    return cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell)


def parse_csv(text: str, max_bytes: int) -> list[list[str]]:
    """The rows of ``text`` (header first), or InvalidArgument naming what to fix."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InvalidArgument(
            f"content is {size} bytes; this gateway accepts lookup files of at most {max_bytes} "
            "(MCP_SPLUNK_MAX_LOOKUP_BYTES). Upload less, or ask the operator to raise the limit."
        )
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise InvalidArgument(f"content is not valid CSV ({exc}); fix the quoting.") from None
    if not rows:
        raise InvalidArgument("content is empty: give a header row of field names, then the rows.")
    header = rows[0]
    if any(not name.strip() for name in header) or len(set(header)) != len(header):
        raise InvalidArgument("content's header row must name every column once, with no empty names.")
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise InvalidArgument(
                f"content row {number} has {len(row)} cells; the header has {len(header)}. Every row needs one "
                "cell per column (quote cells that hold commas)."
            )
        for column, cell in zip(header, row, strict=True):
            if _risky(cell):
                raise InvalidArgument(
                    f"content row {number}, column '{column[:40]}' starts with '{cell[0]!s}'"
                    " which spreadsheets run as a formula; remove the leading character (numbers such as -5 are fine)."
                )
    return rows


class _LookupWriteTool(NamespacedWriteTool):
    objects = "lookups"
    access = "write access (upload_lookup_files)"
    writes = True

    async def existing(self, splunk: SplunkClient, collection: str, name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = await splunk.run(kops.read_entity, collection, name, **self.namespace(splunk))
        except SplunkNotFound:
            return None
        return found


class UploadLookupParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LookupFileName = Field(description="The lookup table file's name, ending .csv, e.g. 'vip_hosts.csv'.")
    content: str = Field(
        min_length=1,
        max_length=100_000_000,
        description=(
            "The CSV text: a header row of field names, then one row per entry, e.g. 'host,owner\\nweb-01,alice\\n'. "
            "At most MCP_SPLUNK_MAX_LOOKUP_BYTES; cells starting with =, +, -, @ (other than numbers) are refused."
        ),
    )
    confirm: bool = Field(
        False, description="Must be true to replace a file that already exists (new files need no confirm)."
    )


class UploadLookupFile(_LookupWriteTool):
    name = "upload_lookup_file"
    title = "Upload a CSV lookup file"
    description = (
        "Create (or, with confirm=true, replace) a CSV lookup table file in this request's app from CSV text, "
        "checked first: size limit, header row, equal column counts, no spreadsheet formulas. Uses the Lookup "
        "File Editor app's REST handler on the Splunk server. read_lookup reads it back; create_lookup_definition "
        "makes it usable by name in | lookup."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = UploadLookupParams
    Result = LookupFileWritten

    async def execute(self, params: UploadLookupParams) -> ToolOutput:
        rows = parse_csv(params.content, self.deps.settings.gateway.max_lookup_bytes)
        splunk = await self.get_splunk_service()
        ns = self.namespace(splunk)
        current = await self.existing(splunk, TABLE_FILES, params.name)
        if current is not None:
            what = f"lookup file '{params.name}' (app {acl_fields(current)['app']}) with {len(rows) - 1} new rows"
            if not await user_confirms(f"Replace {what}?", confirm=params.confirm):
                raise InvalidArgument(
                    f"Not replaced: '{params.name}' exists and confirm is not true. This call would replace {what}. "
                    "Call again with confirm: true, or choose another name."
                )
        try:
            await self.write(splunk, authoring_ops.write_lookup_table, params.name, rows)
        except SplunkNotFound:
            raise SplunkNotFound(
                "This Splunk has no lookup upload endpoint (data/lookup_edit): install the Lookup File Editor app "
                "on it, or upload the file in Splunk Web.",
                404,
            ) from None
        return ToolOutput(
            {
                "name": params.name,
                **ns,
                "fields": rows[0],
                "rows": len(rows) - 1,
                "bytes": len(params.content.encode("utf-8")),
                "replaced": current is not None,
            }
        )


class DefinitionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LookupName = Field(description="The lookup definition's name, used as | lookup <name>, e.g. 'vip_hosts'.")
    filename: LookupFileName = Field(description="The CSV lookup table file it reads, e.g. 'vip_hosts.csv'.")
    case_sensitive_match: bool = Field(True, description="Match values case-sensitively. Default true.")
    max_matches: int | None = Field(None, ge=1, le=1000, description="At most this many matches per event.")
    default_match: str | None = Field(
        None, max_length=200, description="Output value when nothing matches. Default: none."
    )


def _definition_state(entry: dict[str, Any], params: DefinitionParams) -> dict[str, Any]:
    content = entry.get("content") or {}
    fields = content.get("fields_array") or str(content.get("fields_list") or "").split(",")
    return {
        "name": entry.get("name") or params.name,
        **{k: v for k, v in acl_fields(entry).items() if k in ("app", "owner")},
        "filename": content.get("filename", params.filename),
        "fields": [str(f) for f in fields if str(f).strip()],
        "case_sensitive_match": flag(content.get("case_sensitive_match", params.case_sensitive_match)),
        "max_matches": content.get("max_matches") or params.max_matches,
        "default_match": content.get("default_match") or params.default_match,
    }


class CreateLookupDefinition(_LookupWriteTool):
    name = "create_lookup_definition"
    title = "Create a lookup definition"
    description = (
        "Define a file-based lookup (a transforms.conf stanza) on a CSV lookup table file in this request's app, "
        "so searches can use | lookup <name>. upload_lookup_file puts the file there first; list_lookups and "
        "read_lookup show the result. Repeating the same call is harmless."
    )
    annotations = mutating(destructive=False, idempotent=True)
    Params = DefinitionParams
    Result = LookupDefinitionState

    async def execute(self, params: DefinitionParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        if await self.existing(splunk, TABLE_FILES, params.filename) is None:
            raise InvalidArgument(
                f"filename '{params.filename}' is no lookup table file visible in app '{splunk.config.app}': "
                "upload it with upload_lookup_file first, or check the name with list_lookups."
            )
        settings = {"filename": params.filename, "case_sensitive_match": "1" if params.case_sensitive_match else "0"}
        if params.max_matches is not None:
            settings["max_matches"] = str(params.max_matches)
        if params.default_match is not None:
            settings["default_match"] = params.default_match
        try:
            entry = await self.write(splunk, authoring_ops.create_lookup_definition, params.name, settings)
        except SplunkRequestError as exc:
            if exc.status != 409:
                raise
            # A retried call finds its own definition: the same settings are success, not a clash.
            entry = await self.existing(splunk, DEFINITIONS, params.name) or {}
            stored = entry.get("content") or {}
            if any(str(stored.get(k, "")) != v for k, v in settings.items()):
                raise InvalidArgument(
                    f"A different lookup definition named '{params.name}' already exists in app "
                    f"'{splunk.config.app}'; choose another name."
                ) from None
        return ToolOutput(_definition_state(entry or {"name": params.name, "content": settings}, params))


TOOLS: tuple[type[BaseTool], ...] = (UploadLookupFile, CreateLookupDefinition)
