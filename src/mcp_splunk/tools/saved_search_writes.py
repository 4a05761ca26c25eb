"""Saved-search writes (only with writes enabled): create, update and delete, in the request's namespace.

A saved search runs later, unattended, so its SPL must pass the same guardrails a search run now would: the SPL
policy (no command that writes, sends or executes) and the operator's time-range limits. A client that can ask its
user (elicitation) gets asked before an update or delete; otherwise deletes need ``confirm: true``, and without it
the error says exactly which saved search would go.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import (
    InvalidArgument,
    PolicyViolation,
    SplunkNotFound,
    SplunkRequestError,
)
from mcp_splunk.splunk import admin_ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, mutating
from mcp_splunk.tools.confirmation import user_confirms
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.listing import flag
from mcp_splunk.tools.namespaced_writes import NamespacedWriteTool
from mcp_splunk.tools.outputs.writes import SavedSearchDeleted, SavedSearchState, SavedSearchUpdate
from mcp_splunk.tools.splunk_client import SplunkClient

SavedSearchName = Annotated[
    str, StringConstraints(pattern=r"^[^\s/\\\x00-\x1f](?:[^/\\\x00-\x1f]{0,198}[^\s/\\\x00-\x1f])?$")
]
CronSchedule = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z*/,\-]+(?: [0-9A-Za-z*/,\-]+){4}$")]
Spl = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
TimeModifier = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# Tool fields and the saved-search settings they set.
_SETTINGS = {
    "search": "search",
    "description": "description",
    "earliest_time": "dispatch.earliest_time",
    "latest_time": "dispatch.latest_time",
    "cron_schedule": "cron_schedule",
    "is_scheduled": "is_scheduled",
}
_SHOWN = (*_SETTINGS.values(), "disabled", "next_scheduled_time")

_NAME = "The saved search's name (no '/' or '\\', no leading or trailing space), e.g. 'Failed logins by host'."
_SEARCH = "The SPL, e.g. 'index=security \"Failed password\" | stats count by host'. It must pass the SPL policy."
_CRON = "When a scheduled search runs: a five-field cron expression, e.g. '*/15 * * * *' (every 15 minutes)."


def splunk_value(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    content, acl = entry.get("content", {}), entry.get("acl", {})
    shown = {key: content.get(key) for key in _SHOWN}
    for key in ("is_scheduled", "disabled"):
        shown[key] = flag(shown[key])
    return {"name": entry.get("name"), "app": acl.get("app"), "owner": acl.get("owner"), **shown}


class SavedSearchTool(NamespacedWriteTool):
    objects = "saved searches"

    async def check_spl(self, splunk: SplunkClient, search: str, earliest: str, latest: str) -> str:
        """The SPL to store: refused if the gateway would refuse to run it or its time range breaks the operator's
        limits; with the gateway's secret-field drop after every ``| rest``, which then runs unattended too."""
        try:
            checked = await self.deps.guard.require(splunk, search, earliest or "0", latest or "now")
        except PolicyViolation as exc:
            said = exc.message.removeprefix("The search was not run. ")
            raise PolicyViolation(
                f"Nothing was saved: the SPL breaks the gateway's policy. {said} Saved searches may only read; "
                "change what is named."
            ) from None
        return checked if checked != normalize_query(search) else search

    async def read(self, splunk: SplunkClient, name: str) -> dict[str, Any]:
        ns = self.namespace(splunk)
        try:
            found: dict[str, Any] = await splunk.run(admin_ops.get_saved_search, name, **ns)
        except SplunkNotFound:
            raise SplunkNotFound(
                f"No saved search named '{name}' visible in app '{ns['app']}' to this identity. Names are "
                "case-sensitive; find it with list_saved_searches.",
                404,
            ) from None
        return found


class CreateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SavedSearchName = Field(description=_NAME)
    search: Spl = Field(description=_SEARCH)
    description: str = Field("", max_length=2000, description="What the search is for, for people. Default empty.")
    earliest_time: TimeModifier = Field(
        "-24h", description="Start of the range each run covers, e.g. -24h, -15m, -7d@d. Default -24h."
    )
    latest_time: TimeModifier = Field("now", description="End of the range each run covers. Default now.")
    cron_schedule: CronSchedule | None = Field(None, description=_CRON + " Required when is_scheduled is true.")
    is_scheduled: bool = Field(False, description="Run it on cron_schedule. Default false (run only on demand).")


class CreateSavedSearch(SavedSearchTool):
    name = "create_saved_search"
    title = "Create a saved search"
    description = (
        "Save an SPL search (a report) under a name in this request's app, optionally scheduled with a cron "
        "expression. The SPL must pass the gateway's SPL policy and time-range limits; no alert actions are set. "
        "Change an existing one with update_saved_search."
    )
    annotations = mutating(destructive=False, idempotent=False)
    Params = CreateParams
    Result = SavedSearchState
    writes = True

    async def execute(self, params: CreateParams) -> ToolOutput:
        if params.is_scheduled and not params.cron_schedule:
            raise InvalidArgument("is_scheduled is true but cron_schedule is missing: give one, e.g. '*/15 * * * *'.")
        splunk = await self.get_splunk_service()
        search = await self.check_spl(splunk, params.search, params.earliest_time, params.latest_time)
        settings = {
            _SETTINGS[field]: splunk_value(value)
            for field, value in (params.model_dump(exclude={"name"}) | {"search": search}).items()
            if value is not None
        }
        try:
            entry = await self.write(splunk, admin_ops.create_saved_search, params.name, settings)
        except SplunkRequestError as exc:
            if exc.status != 409:
                raise
            raise InvalidArgument(
                f"A saved search named '{params.name}' already exists in app '{splunk.config.app}'. Change it with "
                "update_saved_search, or choose another name."
            ) from None
        return ToolOutput(_summary(entry or {"name": params.name, "content": settings}))


class UpdateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SavedSearchName = Field(description="The name of the saved search to change.")
    search: Spl | None = Field(None, description=_SEARCH + " Default: unchanged.")
    description: str | None = Field(None, max_length=2000, description="New description. Default: unchanged.")
    earliest_time: TimeModifier | None = Field(None, description="New start of each run's range. Default: unchanged.")
    latest_time: TimeModifier | None = Field(None, description="New end of each run's range. Default: unchanged.")
    cron_schedule: CronSchedule | None = Field(None, description=_CRON + " Default: unchanged.")
    is_scheduled: bool | None = Field(None, description="Turn scheduling on or off. Default: unchanged.")


class UpdateSavedSearch(SavedSearchTool):
    name = "update_saved_search"
    title = "Update a saved search"
    description = (
        "Change an existing saved search: only the fields you give change, the rest stay as they are; returns "
        "each changed setting before and after. A new search or time range must pass the gateway's SPL policy "
        "and time-range limits. When the client supports elicitation, its user is asked first."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = UpdateParams
    Result = SavedSearchUpdate
    writes = True

    async def execute(self, params: UpdateParams) -> ToolOutput:
        given = params.model_dump(exclude={"name"}, exclude_none=True)
        if not given:
            raise InvalidArgument("Nothing to change: give at least one of " + ", ".join(_SETTINGS) + ".")
        splunk = await self.get_splunk_service()
        current = (await self.read(splunk, params.name))["content"]
        changes = {_SETTINGS[field]: splunk_value(value) for field, value in given.items()}
        final = {**current, **changes}
        if flag(final.get("is_scheduled")) and not final.get("cron_schedule"):
            raise InvalidArgument("The saved search would be scheduled without a cron_schedule: give one too.")
        if given.keys() & {"search", "earliest_time", "latest_time"}:
            search = await self.check_spl(
                splunk,
                str(final.get("search", "")),
                str(final.get("dispatch.earliest_time") or ""),
                str(final.get("dispatch.latest_time") or ""),
            )
            if "search" in changes:
                changes["search"] = final["search"] = search
        shown = "; ".join(f"{key}: {current.get(key)!r} -> {value!r}" for key, value in changes.items())
        await user_confirms(f"Change saved search '{params.name}' ({shown})?", confirm=True)
        entry = await self.write(splunk, admin_ops.update_saved_search, params.name, changes)
        after = (entry or {}).get("content") or final
        changed = {key: {"before": current.get(key), "after": after.get(key, value)} for key, value in changes.items()}
        return ToolOutput(_summary(entry or {"name": params.name, "content": final}) | {"changed": changed})


class DeleteParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SavedSearchName = Field(description="The name of the saved search to delete.")
    confirm: bool = Field(
        False,
        description="Must be true to delete. Without it nothing is deleted and the error shows what would be.",
    )


class DeleteSavedSearch(SavedSearchTool):
    name = "delete_saved_search"
    title = "Delete a saved search"
    description = (
        "Delete a saved search (and its schedule) by name from this request's app; needs the user's yes (asked "
        "when the client supports elicitation) or else confirm=true, and a call without either only shows what "
        "would be deleted. Its past jobs and fired alerts are not touched."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = DeleteParams
    Result = SavedSearchDeleted
    writes = True

    async def execute(self, params: DeleteParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        existing = _summary(await self.read(splunk, params.name))
        scheduled = f", scheduled '{existing['cron_schedule']}'" if existing["is_scheduled"] else ""
        what = (
            f"saved search '{params.name}' (app {existing['app']}, owner {existing['owner']}{scheduled}; "
            f"search: {existing['search']})"
        )
        if not await user_confirms(f"Delete {what}?", confirm=params.confirm):
            raise InvalidArgument(
                f"Not deleted: confirm is not true. This call would delete {what}. Call again with confirm: true "
                "to delete it."
            )
        await self.write(splunk, admin_ops.delete_saved_search, params.name)
        return ToolOutput({"deleted": params.name, "app": existing["app"], "owner": existing["owner"], "was": existing})


TOOLS: tuple[type[BaseTool], ...] = (CreateSavedSearch, UpdateSavedSearch, DeleteSavedSearch)
