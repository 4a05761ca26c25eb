"""Results of the discovery tools: indexes, and the sourcetypes, sources and hosts in a time range."""

from __future__ import annotations

from mcp_splunk.tools.outputs.common import Listing, Result, SplunkValue


class IndexSummary(Result):
    name: str
    totalEventCount: SplunkValue  # splunkd's own names
    currentDBSizeMB: SplunkValue
    minTime: SplunkValue
    maxTime: SplunkValue
    datatype: SplunkValue
    disabled: SplunkValue


class IndexListing(Listing):
    indexes: list[IndexSummary]


class IndexInfo(Result):
    name: str
    app: str | None
    total_event_count: int | None
    current_size_mb: SplunkValue
    max_size_mb: SplunkValue
    earliest_event: str | None
    latest_event: str | None
    retention_days: float | None
    datatype: SplunkValue
    disabled: SplunkValue
    internal: SplunkValue
    settings: dict[str, SplunkValue]


class _Seen(Result):
    count: int
    first_seen: str | None
    last_seen: str | None


class SourcetypeSeen(_Seen):
    sourcetype: str


class SourceSeen(_Seen):
    source: str


class HostSeen(_Seen):
    host: str


class _ValueListing(Listing):
    index: str
    earliest_time: str
    latest_time: str


class SourcetypeListing(_ValueListing):
    sourcetypes: list[SourcetypeSeen]


class SourceListing(_ValueListing):
    sources: list[SourceSeen]


class HostListing(_ValueListing):
    hosts: list[HostSeen]
