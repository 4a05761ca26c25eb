"""Platform facts: users, roles, splunkd health and (secret-masked) .conf settings, all read-only.

Listings show what splunkd shows this identity: a user without ``edit_user``/``edit_roles`` sees only itself and
its own roles. ``get_configuration`` masks the values of keys that hold secrets, and any value stored encrypted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import SplunkNotFound, SplunkPermissionDenied
from mcp_splunk.masking import masked as mask_secrets
from mcp_splunk.splunk import admin_ops
from mcp_splunk.splunk.operations import EntryPage
from mcp_splunk.tools.base import BaseTool, NoParams, ToolOutput, read_only
from mcp_splunk.tools.limits import fit_rows, truncation
from mcp_splunk.tools.listing import more_from
from mcp_splunk.tools.outputs.platform import Configuration, Health, RoleListing, UserListing
from mcp_splunk.tools.paging import Page

_SEVERITY = {"red": 0, "yellow": 1, "green": 2}

ConfName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")]
StanzaName = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=r"^[^\x00-\x1f]+$")]


class PageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offset: int = Field(0, ge=0, description="Index of the first item to return (for paging). Default 0.")
    count: int = Field(100, ge=1, le=1000, description="How many items to return at most. Default 100.")


def _listing(
    key: str, rows: list[dict[str, Any]], page: EntryPage, offset: int, *, max_chars: int, around: dict[str, Any]
) -> dict[str, Any]:
    """``around``, then the rows that fit the output budget under ``key``, a paging envelope and a truncation note."""
    shown = rows[: fit_rows(rows, max_chars, around=around)]
    window = Page(offset, len(shown), max(page.total, offset + len(shown)))
    data: dict[str, Any] = {**around, key: shown, "paging": window.as_dict()}
    if note := truncation(len(shown), len(rows), more=more_from(offset + len(shown))):
        data["truncated"] = note
    return data


class ListUsers(BaseTool):
    name = "list_users"
    title = "List Splunk users"
    description = (
        "Splunk user accounts: name, real name, email, roles, default app and whether locked out. A user without "
        "the edit_user capability sees only their own account, as in Splunk. Use whoami for your own "
        "capabilities, list_roles for what each role grants."
    )
    annotations = read_only()
    Params = PageParams
    Result = UserListing

    async def execute(self, params: PageParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        page = await splunk.run(admin_ops.list_users, count=params.count, offset=params.offset)
        rows = [
            {
                "name": e["name"],
                "realname": e["content"].get("realname"),
                "email": e["content"].get("email"),
                "roles": list(e["content"].get("roles") or []),
                "default_app": e["content"].get("defaultApp"),
                "type": e["content"].get("type"),
                "locked_out": e["content"].get("locked-out"),
                "capabilities_count": len(e["content"].get("capabilities") or []),
            }
            for e in page.entries
        ]
        max_chars = self.deps.settings.gateway.max_output_chars
        return ToolOutput(_listing("users", rows, page, params.offset, max_chars=max_chars, around={}))


def _strings(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in re.split(r"[;,]", str(value)) if v]


class ListRoles(BaseTool):
    name = "list_roles"
    title = "List Splunk roles"
    description = (
        "Splunk roles: their capabilities (count and list), imported roles, the indexes they may search "
        "(srchIndexesAllowed) and search by default (srchIndexesDefault), and search quotas. A user without "
        "the edit_roles capability sees only their own roles, as in Splunk."
    )
    annotations = read_only()
    Params = PageParams
    Result = RoleListing

    async def execute(self, params: PageParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        page = await splunk.run(admin_ops.list_roles, count=params.count, offset=params.offset)
        rows = []
        for entry in page.entries:
            content = entry["content"]
            capabilities = _strings(content.get("capabilities"))
            rows.append(
                {
                    "name": entry["name"],
                    "capabilities_count": len(capabilities),
                    "capabilities": capabilities,
                    "imported_roles": _strings(content.get("imported_roles")),
                    "imported_capabilities": _strings(content.get("imported_capabilities")),
                    "srchIndexesAllowed": _strings(content.get("srchIndexesAllowed")),
                    "srchIndexesDefault": _strings(content.get("srchIndexesDefault")),
                    "srchJobsQuota": content.get("srchJobsQuota"),
                    "rtSrchJobsQuota": content.get("rtSrchJobsQuota"),
                    "srchDiskQuota": content.get("srchDiskQuota"),
                }
            )
        max_chars = self.deps.settings.gateway.max_output_chars
        return ToolOutput(_listing("roles", rows, page, params.offset, max_chars=max_chars, around={}))


def _reasons(value: Any) -> list[str]:
    """The texts of a health node's ``reasons`` ({colour: {indicator: {reason: …}}} in splunkd 8+)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        if isinstance(value.get("reason"), str):
            return [value["reason"]]
        return [text for item in value.values() for text in _reasons(item)]
    if isinstance(value, list):
        return [text for item in value for text in _reasons(item)]
    return []


def _features(tree: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Each feature of a health tree (features nest in splunkd 8+) with its colour and reasons."""
    found: list[dict[str, Any]] = []
    for name, node in tree.items():
        if not isinstance(node, Mapping):
            continue
        path = f"{prefix}{name}"
        reasons = _reasons(node.get("reasons"))
        found.append(
            {
                "feature": path,
                "health": str(node.get("health", "unknown")),
                "num_red": node.get("num_red"),
                "num_yellow": node.get("num_yellow"),
                "reasons": [r for r in reasons if r],
            }
        )
        if isinstance(node.get("features"), Mapping):
            found.extend(_features(node["features"], f"{path} > "))
    return found


class GetSplunkHealth(BaseTool):
    name = "get_splunk_health"
    title = "splunkd health"
    description = (
        "splunkd's health report: the overall colour (green, yellow, red) and each feature's colour with the "
        "reasons Splunk gives, problems first. Use it when searches are slow, data seems missing or a feature "
        "misbehaves, before digging into _internal logs."
    )
    annotations = read_only()
    Params = NoParams
    Result = Health

    async def execute(self, params: NoParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        content, detailed = await splunk.run(admin_ops.splunkd_health)
        features = _features(content.get("features") or {})
        features.sort(key=lambda f: (_SEVERITY.get(f["health"], -1), f["feature"]))
        colours: dict[str, int] = {}
        for feature in features:
            colours[feature["health"]] = colours.get(feature["health"], 0) + 1
        overall = str(content.get("health", "unknown"))
        data: dict[str, Any] = {
            "overall": overall,
            "detailed": detailed,
            "feature_counts": colours,
            "features": features,
        }
        return ToolOutput(data)


class GetConfigurationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conf_file: ConfName = Field(
        description="The .conf file without its extension, e.g. 'props', 'inputs', 'limits', 'server'."
    )
    stanza: StanzaName | None = Field(
        None, description="Only this stanza, e.g. 'sslConfig' or 'monitor:///var/log/secure'. Default: all stanzas."
    )
    offset: int = Field(0, ge=0, description="Index of the first stanza to return (for paging). Default 0.")
    count: int = Field(100, ge=1, le=1000, description="How many stanzas to return at most. Default 100.")


class GetConfiguration(BaseTool):
    name = "get_configuration"
    title = "Read a .conf file"
    description = (
        "The effective settings of a Splunk .conf file (`configs/conf-<file>`), all stanzas or one, with secret "
        "values (passwords, keys, tokens, anything stored encrypted) masked as `********` and listed in "
        "masked_keys. Read-only. Prefer the dedicated tools for indexes, saved searches and KV Store "
        "collections; use this for props, transforms, inputs, limits, server and the like."
    )
    annotations = read_only()
    Params = GetConfigurationParams
    Result = Configuration

    async def execute(self, params: GetConfigurationParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        where = f"conf-{params.conf_file}" + (f" [{params.stanza}]" if params.stanza else "")
        try:
            page = await splunk.run(
                admin_ops.conf_stanzas,
                params.conf_file,
                stanza=params.stanza,
                count=params.count,
                offset=params.offset,
            )
        except SplunkPermissionDenied as exc:
            said = exc.message.removeprefix("Splunk refused: ")
            raise SplunkPermissionDenied(
                f"Splunk refused to show {where} to this identity: {said} Server-wide settings need capabilities "
                "such as list_settings; ask a Splunk admin, or use an account that has them.",
                exc.status,
            ) from None
        except SplunkNotFound as exc:
            said = exc.message.removeprefix("Splunk has no such object: ")
            what = f"no stanza [{params.stanza}] in" if params.stanza else "no file"
            raise SplunkNotFound(
                f"Splunk has {what} conf-{params.conf_file} (Splunk: {said}). Check the spelling; names are "
                "case-sensitive. Call without stanza to list a file's stanzas.",
                exc.status,
            ) from None
        rows, masked_keys = [], []
        for entry in page.entries:
            settings, masked = mask_secrets({k: v for k, v in entry["content"].items() if not k.startswith("eai:")})
            rows.append({"stanza": entry["name"], "app": entry["acl"].get("app"), "settings": settings})
            masked_keys.append([{"stanza": entry["name"], "key": key} for key in masked])
        max_chars = self.deps.settings.gateway.max_output_chars
        # The masked-key notes of every row are reserved, so they fit whichever rows do.
        around = {"conf_file": params.conf_file, "masked_keys": [m for keys in masked_keys for m in keys]}
        data = _listing("stanzas", rows, page, params.offset, max_chars=max_chars, around=around)
        data["masked_keys"] = [m for keys in masked_keys[: len(data["stanzas"])] for m in keys]
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (ListUsers, ListRoles, GetSplunkHealth, GetConfiguration)
