"""Results of the saved-search writes."""

from __future__ import annotations

from pydantic import Field

from mcp_splunk.tools.outputs.common import Result, SplunkValue


class SavedSearchState(Result):
    # A saved search as the writes report it, with splunkd's setting names.

    name: SplunkValue
    app: SplunkValue
    owner: SplunkValue
    search: SplunkValue
    description: SplunkValue
    dispatch_earliest_time: SplunkValue = Field(alias="dispatch.earliest_time")
    dispatch_latest_time: SplunkValue = Field(alias="dispatch.latest_time")
    cron_schedule: SplunkValue
    is_scheduled: bool
    disabled: bool
    next_scheduled_time: SplunkValue


class Change(Result):
    before: SplunkValue
    after: SplunkValue


class SavedSearchUpdate(SavedSearchState):
    changed: dict[str, Change]


class SavedSearchDeleted(Result):
    deleted: str
    app: SplunkValue
    owner: SplunkValue
    was: SavedSearchState
