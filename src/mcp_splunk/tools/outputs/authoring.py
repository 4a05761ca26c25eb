"""Results of the authoring writes: alerts, dashboards, lookup table files and lookup definitions."""

from __future__ import annotations

from typing import Literal

from mcp_splunk.tools.outputs.common import Omitted, Result, SplunkValue
from mcp_splunk.tools.outputs.writes import Change, SavedSearchState


class AlertCondition(Result):
    alert_type: SplunkValue
    alert_comparator: SplunkValue
    alert_threshold: SplunkValue
    alert_condition: SplunkValue


class AlertThrottle(Result):
    suppress: bool
    period: SplunkValue
    fields: list[str]


class AlertAction(Result):
    type: str
    # The action's settings, secrets (by the gateway's one masking rule) shown as ********.
    params: dict[str, SplunkValue]


class AlertState(SavedSearchState):  # a saved search, plus what makes it an alert
    condition: AlertCondition
    severity: SplunkValue
    digest_mode: bool
    throttle: AlertThrottle
    actions: list[AlertAction]
    changed: dict[str, Change] | Omitted = None


class DashboardSearchChecked(Result):
    id: str | None
    query: str


class DashboardState(Result):
    name: SplunkValue
    app: SplunkValue
    owner: SplunkValue
    label: SplunkValue
    format: Literal["simple_xml", "studio"]
    root_node: SplunkValue
    searches_checked: list[DashboardSearchChecked]
    replaced: bool | Omitted = None


class DashboardDeleted(Result):
    deleted: str
    app: SplunkValue
    owner: SplunkValue
    label: SplunkValue


class LookupFileWritten(Result):
    name: str
    app: str
    owner: str
    fields: list[str]
    rows: int
    bytes: int
    replaced: bool


class LookupDefinitionState(Result):
    name: SplunkValue
    app: SplunkValue
    owner: SplunkValue
    filename: SplunkValue
    fields: list[str]
    case_sensitive_match: bool
    max_matches: SplunkValue
    default_match: SplunkValue
