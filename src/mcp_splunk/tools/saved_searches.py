"""Saved searches and alerts: list and read their definitions, run one, and list the alerts that fired.

Running a saved search never triggers its alert actions (email, webhooks, scripts) unless the operator allows
it with ``MCP_SPLUNK_ALLOW_ALERT_ACTIONS``; no tool argument can loosen that.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mcp_splunk.errors import PolicyViolation, SplunkNotFound
from mcp_splunk.masking import masked
from mcp_splunk.splunk import knowledge_ops as kops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.job_results import (
    PROVENANCE,
    SearchLevel,
    SearchOptions,
    first_page,
    row_limit_field,
    sample_ratio_field,
    search_level_field,
    wait_seconds_field,
)
from mcp_splunk.tools.jobs import normalize_query
from mcp_splunk.tools.listing import (
    ObjectName,
    acl_fields,
    count_field,
    filter_field,
    flag,
    integer,
    iso_utc,
    listing,
    name_matches,
    offset_field,
)
from mcp_splunk.tools.outputs.knowledge import FiredAlertListing, SavedSearchDefinition, SavedSearchListing
from mcp_splunk.tools.outputs.search import SavedSearchRun
from mcp_splunk.tools.splunk_client import SplunkClient

_SUMMARY_KEYS = (
    "search",
    "description",
    "disabled",
    "is_scheduled",
    "cron_schedule",
    "next_scheduled_time",
    "dispatch.earliest_time",
    "dispatch.latest_time",
    "alert_type",
    "alert_comparator",
    "alert_threshold",
    "alert.track",
    "actions",
    "triggered_alert_count",
)
_SEVERITIES = {1: "debug", 2: "info", 3: "warn", 4: "error", 5: "severe", 6: "fatal"}


def _actions(value: Any) -> list[str]:
    return [a.strip() for a in str(value or "").split(",") if a.strip()]


def summarize(entry: dict[str, Any]) -> dict[str, Any]:
    """The facts an agent needs about a saved search, normalised (booleans, numbers, action lists)."""
    c = entry["content"]
    actions = _actions(c.get("actions"))
    scheduled = flag(c.get("is_scheduled"))
    alert_type = c.get("alert_type") or "always"
    return {
        "name": entry["name"],
        "description": c.get("description") or "",
        "search": c.get("search") or "",
        "disabled": flag(c.get("disabled")),
        "is_scheduled": scheduled,
        "cron_schedule": c.get("cron_schedule") or None,
        "next_scheduled_time": c.get("next_scheduled_time") or None,
        # Splunk Web calls a scheduled search with a trigger condition, tracking or actions an alert.
        "is_alert": scheduled and (alert_type != "always" or flag(c.get("alert.track")) or bool(actions)),
        "alert_type": alert_type,
        "alert_condition": " ".join(
            str(v) for v in (c.get("alert_comparator"), c.get("alert_threshold")) if v not in (None, "")
        )
        or None,
        "actions": actions,
        "triggered_alert_count": integer(c.get("triggered_alert_count")) or 0,
        **acl_fields(entry),
    }


async def _saved_search(splunk: SplunkClient, name: str) -> dict[str, Any]:
    try:
        return await splunk.run(kops.read_entity, "saved/searches", name)
    except SplunkNotFound:
        raise SplunkNotFound(
            f"No saved search named '{name}' that you may see (names are case-sensitive). Use list_saved_searches "
            "to find the exact name.",
            404,
        ) from None


class ListSavedSearchesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filter: str | None = filter_field("saved searches", "*errors*")
    offset: int = offset_field("saved search")
    count: int = count_field("saved searches")


class ListSavedSearches(BaseTool):
    name = "list_saved_searches"
    title = "List saved searches and alerts"
    description = (
        "The saved searches (reports and alerts) you may see in every app: name, description, SPL, schedule and "
        "next run, whether it is an alert, its alert type and actions, how many alerts it has fired, and its "
        "app and owner. Use it to find existing searches before writing SPL yourself; get_saved_search gives one "
        "search's full definition and run_saved_search runs it."
    )
    annotations = read_only()
    Params = ListSavedSearchesParams
    Result = SavedSearchListing

    async def execute(self, params: ListSavedSearchesParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entries = await splunk.run(kops.read_all, "saved/searches", fields=_SUMMARY_KEYS)
        rows = sorted(
            (summarize(e) for e in entries if name_matches(e["name"], params.filter)),
            key=lambda r: (r["name"].lower(), str(r["app"])),
        )
        return listing(
            "saved_searches",
            rows,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
        )


class SavedSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ObjectName = Field(description="The saved search's exact name, as list_saved_searches shows it.")


class GetSavedSearch(BaseTool):
    name = "get_saved_search"
    title = "Saved search definition"
    description = (
        "One saved search's full definition: its SPL, description, dispatch time range, schedule, alert "
        "condition, actions and every other setting (values of secret-looking keys are masked). Use it to "
        "understand or reuse a saved search's SPL; list_saved_searches finds the name."
    )
    annotations = read_only()
    Params = SavedSearchParams
    Result = SavedSearchDefinition

    async def execute(self, params: SavedSearchParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        entry = await _saved_search(splunk, params.name)
        settings, _ = masked({k: v for k, v in sorted(entry["content"].items()) if k != "eai:acl"})
        return ToolOutput({**summarize(entry), "settings": settings})


class RunSavedSearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ObjectName = Field(description="The saved search's exact name, as list_saved_searches shows it.")
    earliest_time: str | None = Field(
        None,
        max_length=100,
        description=(
            "Override the start of the saved search's time range (a relative modifier such as -24h, or an epoch "
            "or ISO time). Default: the saved search's own dispatch.earliest_time. A range wider than the "
            "operator's limit, or an all-time range, is refused: then give a narrower earliest_time."
        ),
    )
    latest_time: str | None = Field(
        None,
        max_length=100,
        description="Override the end of the time range. Default: the saved search's own dispatch.latest_time, or now.",
    )
    row_limit: int | None = row_limit_field()
    wait_seconds: float | None = wait_seconds_field()
    search_level: SearchLevel | None = search_level_field()
    sample_ratio: int | None = sample_ratio_field()
    trigger_actions: bool = Field(
        False,
        description=(
            "Let the run trigger the saved search's alert actions (email, webhooks, scripts) when its condition "
            "holds. Default false. Only honoured when the operator allows alert actions; otherwise asking for it "
            "is refused."
        ),
    )


class RunSavedSearch(BaseTool):
    name = "run_saved_search"
    title = "Run a saved search"
    description = (
        "Run a saved search (report or alert) now and return its first page of results, the job id (sid), the "
        "exact total and a paging envelope, like run_search. Alert actions are suppressed: running an alert "
        "does not send its emails or call its webhooks (only trigger_actions=true does, and only where the "
        "operator allows it). Prefer it over copying the SPL into run_search, since "
        "the saved search's own time range and settings apply; page further with get_search_results."
    )
    annotations = read_only()
    Params = RunSavedSearchParams
    Result = SavedSearchRun
    task = True  # an MCP task for a client that asks (MCP_SPLUNK_TASKS)

    async def execute(self, params: RunSavedSearchParams) -> ToolOutput:
        settings = self.deps.settings.gateway
        if params.trigger_actions and not settings.allow_alert_actions:
            raise PolicyViolation(
                "Triggering alert actions is disabled by the operator (MCP_SPLUNK_ALLOW_ALERT_ACTIONS). Run it "
                "without trigger_actions: you still get the results, without emails or webhooks."
            )
        splunk = await self.get_splunk_service()
        entry = await _saved_search(splunk, params.name)
        content = entry["content"]
        earliest = params.earliest_time or str(content.get("dispatch.earliest_time") or "") or "0"
        latest = params.latest_time or str(content.get("dispatch.latest_time") or "") or "now"
        search = normalize_query(str(content.get("search") or ""))
        # The saved SPL is judged like any other: a saved search that writes, sends or executes is refused.
        if await self.deps.guard.require(splunk, search, earliest, latest) != search:
            raise PolicyViolation(
                f"Saved search '{params.name}' was not run: it uses | rest, whose secret-named fields the gateway "
                "drops by appending to the SPL it runs, and a saved search runs its stored SPL unchanged. Run its "
                "SPL with run_search instead."
            )
        owner, app = kops.namespace_of(entry.get("acl") or {})
        options = SearchOptions(params.search_level, params.sample_ratio)
        sid = await splunk.run(
            kops.dispatch_saved_search,
            entry["name"],
            owner=owner,
            app=app,
            trigger_actions=1 if params.trigger_actions else 0,
            provenance=PROVENANCE,
            **{
                "dispatch.earliest_time": earliest,
                "dispatch.latest_time": latest,
                "dispatch.ttl": settings.job_ttl_seconds,
                # The dispatch endpoint takes the mode as adhoc_search_level (Splunk Web sends it so) and the
                # sampling as the saved search's own dispatch.sample_ratio setting.
                **options.job_args(ratio_key="dispatch.sample_ratio"),
            },
        )
        context = {
            "saved_search": entry["name"],
            "earliest_time": earliest,
            "latest_time": latest,
            "actions_triggered": params.trigger_actions,
        }
        return await first_page(
            splunk,
            sid,
            settings=settings,
            wait_seconds=params.wait_seconds,
            row_limit=params.row_limit,
            options=options,
            context=context,
        )


class ListFiredAlertsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    saved_search: ObjectName | None = Field(
        None, description="Only the alerts fired by this saved search (its exact name). Default: all."
    )
    offset: int = offset_field("fired alert")
    count: int = count_field("fired alerts")


def _fired(entry: dict[str, Any]) -> dict[str, Any]:
    c = entry["content"]
    severity = integer(c.get("severity"))
    return {
        "saved_search": c.get("savedsearch_name"),
        "sid": c.get("sid") or entry["name"],
        "trigger_time": iso_utc(c.get("trigger_time")),
        "severity": severity,
        "severity_label": _SEVERITIES.get(severity or 0),
        "alert_type": c.get("alert_type"),
        "triggered_alerts": integer(c.get("triggered_alerts")),
        "digest_mode": flag(c.get("digest_mode")),
        "expires": c.get("expiration_time_rendered"),
        **acl_fields(entry),
        "_epoch": integer(c.get("trigger_time")) or 0,
    }


class ListFiredAlerts(BaseTool):
    name = "list_fired_alerts"
    title = "List fired alerts"
    description = (
        "Alerts that have fired and are still kept by Splunk, newest first: the saved search, the sid of the run "
        "that fired, trigger time (ISO 8601 UTC), severity and alert type. Use it to see what alerted recently; "
        "fetch a run's results with get_search_results and its sid while the job still exists."
    )
    annotations = read_only()
    Params = ListFiredAlertsParams
    Result = FiredAlertListing

    async def execute(self, params: ListFiredAlertsParams) -> ToolOutput:
        splunk = await self.get_splunk_service()
        try:
            entries = await splunk.run(kops.fired_alerts, params.saved_search)
        except SplunkNotFound:
            raise SplunkNotFound(
                f"No fired alerts for a saved search named '{params.saved_search}': it does not exist or you may "
                "not see it. Use list_saved_searches for the names, or omit saved_search to list all alerts.",
                404,
            ) from None
        alerts = sorted((_fired(e) for e in entries), key=lambda a: (-a["_epoch"], str(a["sid"])))
        for alert in alerts:
            del alert["_epoch"]
        return listing(
            "fired_alerts",
            alerts,
            offset=params.offset,
            count=params.count,
            max_chars=self.deps.settings.gateway.max_output_chars,
            extra={"saved_search": params.saved_search},
        )


TOOLS: tuple[type[BaseTool], ...] = (ListSavedSearches, GetSavedSearch, RunSavedSearch, ListFiredAlerts)
