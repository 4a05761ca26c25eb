"""Results of the knowledge-object tools: saved searches, fired alerts, macros, lookups, apps and dashboards."""

from __future__ import annotations

from typing import Literal

from mcp_splunk.tools.outputs.common import Acl, Listing, Omitted, Paging, Result, Row, SplunkValue, Truncation


class SavedSearchSummary(Acl):
    name: str
    description: SplunkValue
    search: SplunkValue
    disabled: bool
    is_scheduled: bool
    cron_schedule: SplunkValue
    next_scheduled_time: SplunkValue
    is_alert: bool
    alert_type: SplunkValue
    alert_condition: str | None
    actions: list[str]
    triggered_alert_count: int


class SavedSearchListing(Listing):
    saved_searches: list[SavedSearchSummary]


class SavedSearchDefinition(SavedSearchSummary):
    settings: dict[str, SplunkValue]


class FiredAlert(Acl):
    saved_search: SplunkValue
    sid: SplunkValue
    trigger_time: str | None
    severity: int | None
    severity_label: str | None
    alert_type: SplunkValue
    triggered_alerts: int | None
    digest_mode: bool
    expires: SplunkValue


class FiredAlertListing(Listing):
    saved_search: str | None
    fired_alerts: list[FiredAlert]


class Macro(Acl):
    name: str
    definition: SplunkValue
    args: list[str]
    iseval: bool
    description: SplunkValue


class MacroListing(Listing):
    macros: list[Macro]


class Lookup(Acl):
    name: str
    object: Literal["definition", "table_file"]
    type: str
    filename: SplunkValue
    collection: SplunkValue
    fields: list[str] | None
    definitions: list[str] | Omitted = None  # table files: the definitions that use them


class LookupListing(Listing):
    lookups: list[Lookup]


class LookupRows(Result):
    lookup: Lookup
    fields: list[str]
    rows: list[Row]
    paging: Paging
    truncated: Truncation | Omitted = None


class App(Result):
    name: str
    label: SplunkValue
    version: SplunkValue
    visible: bool
    disabled: bool
    description: SplunkValue
    author: SplunkValue


class AppListing(Listing):
    apps: list[App]


class DashboardSummary(Acl):
    name: str
    label: SplunkValue
    isDashboard: bool  # splunkd's own names
    isVisible: bool
    rootNode: SplunkValue


class DashboardListing(Listing):
    app: str | None
    dashboards: list[DashboardSummary]


class PanelSearch(Result):
    panel: str | None
    type: SplunkValue
    id: SplunkValue
    base: SplunkValue
    saved_search: SplunkValue
    query: SplunkValue
    earliest: SplunkValue
    latest: SplunkValue


class SourceCut(Result):
    reason: Literal["output_limit"]
    chars_returned: int
    chars_available: int
    hint: str


class DashboardCut(Result):
    searches: Truncation | Omitted = None
    source: SourceCut | Omitted = None


class Dashboard(Acl):
    name: str
    label: SplunkValue
    description: str | None
    isDashboard: bool
    rootNode: SplunkValue
    searches: list[PanelSearch]
    source: str
    parse_problem: str | Omitted = None
    truncated: DashboardCut | Omitted = None
