"""Results of the identity and platform tools: connection diagnostics, identity, server, users, roles, health and
configuration."""

from __future__ import annotations

from mcp_splunk.tools.outputs.common import Listing, Result, SplunkValue


class ConnectionInfo(Result):
    transport: str
    protocol_version: str | None
    stateful_session: bool
    splunk_headers: list[str]
    config_source: str
    splunk_target: str | None
    splunk_auth: str | None
    correlation_id_sent: bool
    user_agent: str | None
    config_error: str | None


class Identity(Result):
    username: SplunkValue
    realname: SplunkValue
    roles: list[SplunkValue]
    capabilities: list[str]
    default_app: SplunkValue
    splunk_target: str
    server_name: SplunkValue
    splunk_version: SplunkValue


class ServerInfo(Result):
    # The server facts splunkd reports (each only when it reports it), with splunkd's own names.

    serverName: SplunkValue = None
    version: SplunkValue = None
    build: SplunkValue = None
    product_type: SplunkValue = None
    os_name: SplunkValue = None
    cpu_arch: SplunkValue = None
    numberOfCores: SplunkValue = None
    licenseState: SplunkValue = None
    mode: SplunkValue = None
    server_roles: SplunkValue = None
    startup_time: SplunkValue = None
    guid: SplunkValue = None
    splunk_target: str


class User(Result):
    name: str
    realname: SplunkValue
    email: SplunkValue
    roles: list[SplunkValue]
    default_app: SplunkValue
    type: SplunkValue
    locked_out: SplunkValue
    capabilities_count: int


class UserListing(Listing):
    users: list[User]


class Role(Result):
    name: str
    capabilities_count: int
    capabilities: list[str]
    imported_roles: list[str]
    imported_capabilities: list[str]
    srchIndexesAllowed: list[str]
    srchIndexesDefault: list[str]
    srchJobsQuota: SplunkValue
    rtSrchJobsQuota: SplunkValue
    srchDiskQuota: SplunkValue


class RoleListing(Listing):
    roles: list[Role]


class HealthFeature(Result):
    feature: str
    health: str
    num_red: SplunkValue
    num_yellow: SplunkValue
    reasons: list[str]


class Health(Result):
    overall: str
    detailed: bool
    feature_counts: dict[str, int]
    features: list[HealthFeature]


class Stanza(Result):
    stanza: str
    app: SplunkValue
    settings: dict[str, SplunkValue]


class MaskedKey(Result):
    stanza: str
    key: str


class Configuration(Listing):
    conf_file: str
    stanzas: list[Stanza]
    masked_keys: list[MaskedKey]
