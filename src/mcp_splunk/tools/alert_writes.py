"""Alert writes (only with writes enabled): a scheduled saved search with a trigger condition, throttling and,
only when the operator also allows alert actions, actions such as email or a webhook.

An alert runs unattended on its schedule, so its SPL (and a custom condition's) passes the same policy as a search
run now. Schedules are checked with croniter before splunkd sees them; actions are refused, naming
MCP_SPLUNK_ALLOW_ALERT_ACTIONS, unless the operator allows them. Alerts are deleted with delete_saved_search.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import InvalidArgument, PolicyViolation, SplunkRequestError
from mcp_splunk.masking import masked
from mcp_splunk.splunk import admin_ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, mutating
from mcp_splunk.tools.confirmation import user_confirms
from mcp_splunk.tools.listing import flag
from mcp_splunk.tools.outputs.authoring import AlertState
from mcp_splunk.tools.saved_search_writes import (
    CronSchedule,
    SavedSearchName,
    SavedSearchTool,
    Spl,
    TimeModifier,
    splunk_value,
)
from mcp_splunk.tools.splunk_client import SplunkClient

AlertType = Literal["number of events", "number of results", "number of hosts", "number of sources", "custom", "always"]
Comparator = Literal["greater than", "less than", "equal to", "not equal to", "drops by", "rises by"]
ActionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
ActionParam = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.]{0,99}$")]
Period = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,6}[smhd]$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")]
# Tool fields and the saved-search settings they set (suppress_fields and actions take more than one).
_SETTING_OF = {
    "search": "search",
    "description": "description",
    "earliest_time": "dispatch.earliest_time",
    "latest_time": "dispatch.latest_time",
    "cron_schedule": "cron_schedule",
    "alert_type": "alert_type",
    "alert_comparator": "alert_comparator",
    "alert_threshold": "alert_threshold",
    "alert_condition": "alert_condition",
    "severity": "alert.severity",
    "digest_mode": "alert.digest_mode",
    "suppress": "alert.suppress",
    "suppress_period": "alert.suppress.period",
}
_PLAIN = ("search", "description", "dispatch.earliest_time", "dispatch.latest_time", "cron_schedule")
_CONDITION = ("alert_type", "alert_comparator", "alert_threshold", "alert_condition")
# Actions that run server-side code: splunkd's deprecated script action is never set by the gateway.
_REFUSED_ACTIONS = frozenset({"script"})


class AlertActionArg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ActionName = Field(description="The alert action's name, e.g. 'email', 'webhook' or an add-on's action.")
    params: dict[ActionParam, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict,
        description=(
            "The action's settings without the 'action.<type>.' prefix, e.g. {'to': 'soc@example.com', "
            "'subject': 'Failed logins'} for email or {'param.url': 'https://hooks.example.com/x'} for a webhook."
        ),
    )


class _AlertFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=2000, description="What the alert is for, for people.")
    earliest_time: TimeModifier | None = Field(None, description="Start of the range each run covers, e.g. -15m.")
    latest_time: TimeModifier | None = Field(None, description="End of the range each run covers, e.g. now.")
    alert_comparator: Comparator | None = Field(
        None, description="How the count compares with alert_threshold (not for 'custom' or 'always')."
    )
    alert_threshold: float | None = Field(None, ge=0, description="The number the count is compared with.")
    alert_condition: Spl | None = Field(
        None,
        description="For alert_type 'custom': SPL run over the results, firing when it returns any, e.g. "
        "'search count > 10'. It must pass the SPL policy.",
    )
    severity: int | None = Field(
        None, ge=1, le=6, description="1 debug, 2 info, 3 warning, 4 error, 5 severe, 6 fatal."
    )
    digest_mode: bool | None = Field(None, description="Fire once per run (true) or once per result (false).")
    suppress: bool | None = Field(None, description="Throttle: after firing, stay quiet for suppress_period.")
    suppress_period: Period | None = Field(None, description="How long to throttle, e.g. '60m', '1h', '1d'.")
    suppress_fields: list[FieldName] | None = Field(
        None, max_length=20, description="Throttle per value of these fields (e.g. ['host']) instead of overall."
    )
    actions: list[AlertActionArg] | None = Field(
        None,
        max_length=10,
        description="What to do when it fires (needs MCP_SPLUNK_ALLOW_ALERT_ACTIONS on the gateway). Without "
        "actions the alert is only listed in triggered alerts (list_fired_alerts).",
    )


class CreateAlertParams(_AlertFields):
    name: SavedSearchName = Field(description="The alert's name, e.g. 'Brute force on SSH'.")
    search: Spl = Field(description="The SPL whose results the condition judges. It must pass the SPL policy.")
    cron_schedule: CronSchedule = Field(description="When it runs: five-field cron, e.g. '*/15 * * * *'.")
    alert_type: AlertType = Field(
        "number of results", description="What the condition counts, or 'custom' (alert_condition) or 'always'."
    )


class UpdateAlertParams(_AlertFields):
    name: SavedSearchName = Field(description="The alert (saved search) to change.")
    search: Spl | None = Field(None, description="New SPL. It must pass the SPL policy.")
    cron_schedule: CronSchedule | None = Field(None, description="New five-field cron schedule.")
    alert_type: AlertType | None = Field(None, description="New kind of condition.")


def _settings(params: _AlertFields, given: set[str]) -> dict[str, str]:
    """The saved-search settings for the fields given (an update sends only what changes)."""
    values = params.model_dump()
    out = {_SETTING_OF[field]: splunk_value(values[field]) for field in given if field in _SETTING_OF}
    if isinstance(params.alert_threshold, float) and params.alert_threshold.is_integer():
        out["alert_threshold"] = str(int(params.alert_threshold))
    if "suppress_fields" in given:
        out["alert.suppress.fields"] = ",".join(params.suppress_fields or [])
    if "actions" in given:
        for action in params.actions or []:
            out[f"action.{action.type}"] = "1"
            out |= {f"action.{action.type}.{key}": value for key, value in action.params.items()}
        out["actions"] = ",".join(a.type for a in params.actions or [])
    return out


def _check_final(final: dict[str, Any]) -> None:
    """Refuse an alert that splunkd would store but never fire as meant, naming the argument to fix."""
    schedule = str(final.get("cron_schedule") or "")
    if not schedule or not croniter.is_valid(schedule):
        raise InvalidArgument(
            f"cron_schedule '{schedule}' is not a valid five-field cron expression: give one such as '*/15 * * * *' "
            "(minute hour day-of-month month day-of-week)."
        )
    kind = str(final.get("alert_type") or "")
    if kind == "custom" and not final.get("alert_condition"):
        raise InvalidArgument("alert_type is 'custom' but alert_condition is missing: give the SPL condition.")
    if kind not in ("custom", "always") and not (final.get("alert_comparator") and final.get("alert_threshold")):
        raise InvalidArgument(
            f"alert_type '{kind}' needs alert_comparator and alert_threshold, e.g. 'greater than' and 0."
        )
    if flag(final.get("alert.suppress")) and not final.get("alert.suppress.period"):
        raise InvalidArgument("suppress is true but suppress_period is missing: give one, e.g. '60m'.")


def _alert_summary(entry: dict[str, Any]) -> dict[str, Any]:
    content, acl = entry.get("content", {}), entry.get("acl", {})
    names = [n.strip() for n in str(content.get("actions") or "").split(",") if n.strip()]
    actions = []
    for name in names:
        prefix = f"action.{name}."
        shown, _ = masked({k[len(prefix) :]: v for k, v in content.items() if k.startswith(prefix)})
        actions.append({"type": name, "params": shown})
    fields = str(content.get("alert.suppress.fields") or "")
    return {
        "name": entry.get("name"),
        "app": acl.get("app"),
        "owner": acl.get("owner"),
        **{key: content.get(key) for key in _PLAIN},
        "is_scheduled": flag(content.get("is_scheduled")),
        "disabled": flag(content.get("disabled")),
        "next_scheduled_time": content.get("next_scheduled_time"),
        "condition": {key: content.get(key) for key in _CONDITION},
        "severity": content.get("alert.severity"),
        "digest_mode": flag(content.get("alert.digest_mode", True)),
        "throttle": {
            "suppress": flag(content.get("alert.suppress")),
            "period": content.get("alert.suppress.period") or None,
            "fields": [f.strip() for f in fields.split(",") if f.strip()],
        },
        "actions": actions,
    }


class _AlertTool(SavedSearchTool):
    def check_actions(self, params: _AlertFields) -> None:
        if not params.actions:
            return
        if not self.deps.settings.gateway.allow_alert_actions:
            raise PolicyViolation(
                "Nothing was saved: alert actions are off on this gateway (MCP_SPLUNK_ALLOW_ALERT_ACTIONS). Leave "
                "out actions (the alert is then listed in triggered alerts), or ask the operator to allow them."
            )
        refused = sorted({a.type for a in params.actions} & _REFUSED_ACTIONS)
        if refused:
            raise InvalidArgument(f"actions: '{refused[0]}' runs server-side scripts and is never set; use another.")

    async def check_condition(self, splunk: SplunkClient, condition: str) -> None:
        verdict = await self.deps.guard.verdict(splunk, condition)
        if not verdict.allowed:
            raise PolicyViolation(
                f"Nothing was saved: alert_condition breaks the gateway's policy. {verdict.reason} Conditions may "
                "only read; change what is named."
            )


class CreateAlert(_AlertTool):
    name = "create_alert"
    title = "Create an alert"
    description = (
        "Save a scheduled alert in this request's app: an SPL search run on a cron schedule, a trigger condition "
        "(count of results/events/hosts/sources compared with a threshold, a custom SPL condition, or always), "
        "severity, throttling (suppress for a period, optionally per field) and actions (email, webhook, ...; only "
        "when the operator allows alert actions). The SPL must pass the gateway's SPL policy. Change it with "
        "update_alert; delete it with delete_saved_search. Repeating the same call is harmless."
    )
    annotations = mutating(destructive=False, idempotent=True)
    Params = CreateAlertParams
    Result = AlertState
    writes = True

    async def execute(self, params: CreateAlertParams) -> ToolOutput:
        self.check_actions(params)
        given = {k for k, v in params.model_dump(exclude={"name"}).items() if v is not None}
        defaults = {"dispatch.earliest_time": "-15m", "dispatch.latest_time": "now", "alert.track": "1"}
        if params.alert_type not in ("custom", "always"):
            defaults |= {"alert_comparator": "greater than", "alert_threshold": "0"}
        settings = defaults | _settings(params, given) | {"is_scheduled": "1"}
        _check_final(settings)
        splunk = await self.get_splunk_service()
        settings["search"] = await self.check_spl(
            splunk, params.search, settings["dispatch.earliest_time"], settings["dispatch.latest_time"]
        )
        if params.alert_condition:
            await self.check_condition(splunk, params.alert_condition)
        try:
            entry = await self.write(splunk, admin_ops.create_saved_search, params.name, settings)
        except SplunkRequestError as exc:
            if exc.status != 409:
                raise
            # A retried call (say after a timeout) finds its own alert: the same settings are success, not a clash.
            entry = await self.read(splunk, params.name)
            if any(splunk_value(entry["content"].get(k)) != v for k, v in settings.items()):
                raise InvalidArgument(
                    f"A different saved search named '{params.name}' already exists in app '{splunk.config.app}'. "
                    "Change it with update_alert, or choose another name."
                ) from None
        return ToolOutput(_alert_summary(entry or {"name": params.name, "content": settings}))


class UpdateAlert(_AlertTool):
    name = "update_alert"
    title = "Update an alert"
    description = (
        "Change an existing alert (or turn a saved search into one): only the fields you give change; returns the "
        "alert and each changed setting before and after. New SPL or conditions must pass the SPL policy; actions "
        "need the operator's MCP_SPLUNK_ALLOW_ALERT_ACTIONS, and a given actions list replaces the old one."
    )
    annotations = mutating(destructive=True, idempotent=True)
    Params = UpdateAlertParams
    Result = AlertState
    writes = True

    async def execute(self, params: UpdateAlertParams) -> ToolOutput:
        given = {k for k, v in params.model_dump(exclude={"name"}).items() if v is not None}
        if not given:
            raise InvalidArgument("Nothing to change: give at least one setting besides name.")
        self.check_actions(params)
        splunk = await self.get_splunk_service()
        current = (await self.read(splunk, params.name))["content"]
        changes = _settings(params, given) | {"is_scheduled": "1", "alert.track": "1"}
        if "actions" in given:  # the old actions that are not in the new list are switched off
            old = {n.strip() for n in str(current.get("actions") or "").split(",") if n.strip()}
            changes |= {f"action.{name}": "0" for name in old - {a.type for a in params.actions or []}}
        final = {**current, **changes}
        _check_final(final)
        if given & {"search", "earliest_time", "latest_time"}:
            search = await self.check_spl(
                splunk,
                str(final.get("search", "")),
                str(final.get("dispatch.earliest_time") or ""),
                str(final.get("dispatch.latest_time") or ""),
            )
            if "search" in changes:
                changes["search"] = search
        if params.alert_condition:
            await self.check_condition(splunk, params.alert_condition)
        shown = masked({k: v for k, v in changes.items() if v != current.get(k)})[0]
        summary = "; ".join(f"{key}: {current.get(key)!r} -> {value!r}" for key, value in shown.items())
        await user_confirms(f"Change alert '{params.name}' ({summary})?", confirm=True)
        entry = await self.write(splunk, admin_ops.update_saved_search, params.name, changes)
        after = (entry or {}).get("content") or {**current, **changes}
        before_masked, _ = masked({k: current.get(k) for k in changes})
        after_masked, _ = masked({k: after.get(k, v) for k, v in changes.items()})
        changed = {key: {"before": before_masked[key], "after": after_masked[key]} for key in changes}
        data = _alert_summary(entry or {"name": params.name, "content": after}) | {"changed": changed}
        return ToolOutput(data)


TOOLS: tuple[type[BaseTool], ...] = (CreateAlert, UpdateAlert)
