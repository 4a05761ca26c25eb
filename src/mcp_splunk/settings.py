"""Server settings from the environment (and ``.env``, loaded by the CLI before these are read).

``SPLUNK_*`` describe the server's default Splunk; ``MCP_SPLUNK_*`` configure the gateway itself. Every CLI
flag of ``mcp-splunk serve`` overrides the matching ``MCP_SPLUNK_*`` variable; ``.env.example`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class SplunkDefaults(BaseSettings):
    """The Splunk used when a request names none (``SPLUNK_*``)."""

    model_config = SettingsConfigDict(env_prefix="SPLUNK_", extra="ignore", env_ignore_empty=True)

    host: str | None = None
    port: int = Field(8089, ge=1, le=65535)
    scheme: Literal["http", "https"] = "https"
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None  # a Splunk authentication token, sent as "Bearer"
    session_key: SecretStr | None = None  # an existing splunkd session key, sent as "Splunk <key>"
    verify_ssl: bool = True
    ca_bundle: Path | None = None
    app: str = "search"
    owner: str = "nobody"

    @field_validator("host", "username", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class GatewaySettings(BaseSettings):
    """The gateway itself (``MCP_SPLUNK_*``)."""

    model_config = SettingsConfigDict(env_prefix="MCP_SPLUNK_", extra="ignore", env_ignore_empty=True)

    transport: Literal["http", "stdio"] = "http"
    host: str = "127.0.0.1"
    port: int = Field(8003, ge=0, le=65535)
    path: str = "/mcp"
    stateless: bool = False
    sandbox: bool = False
    log_level: LogLevel = "INFO"

    # Who may use the gateway (separate from Splunk credentials)
    auth: Literal["none", "token", "jwt"] = "none"
    auth_tokens: SecretStr | None = None  # "principal:token,principal2:token2"
    auth_tokens_file: Path | None = None  # one "principal:token" per line
    jwt_public_key: str | None = None  # PEM text, or a path to a PEM file
    jwt_jwks_uri: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_required_scopes: frozenset[str] = frozenset()
    jwt_leeway_seconds: int = Field(30, ge=0, le=300)  # clock skew allowed on nbf and iat
    jwt_allow_no_exp: bool = False  # accept JWTs that carry no exp (they never expire)
    allow_unauthenticated: bool = False  # permit auth=none on a non-loopback address
    allowed_hosts: frozenset[str] = frozenset()  # Host header values accepted besides loopback (fnmatch patterns)
    allowed_origins: frozenset[str] = frozenset()  # browser Origins accepted (fnmatch patterns)

    # Which Splunk targets clients may name (the server's own default target is always allowed)
    allowed_targets: frozenset[str] = frozenset()  # host patterns and CIDRs, each optionally ":port"; empty = any
    allow_http_targets: bool = False  # plaintext http to a non-loopback Splunk
    allow_insecure_tls: bool = False  # honour X-Splunk-Verify-SSL: false

    # Abuse and accountability
    rate_limit_per_minute: int | None = Field(None, ge=0)  # tool calls per principal; None = 120, off on loopback
    rate_limit_burst: int = Field(20, ge=1)
    audit_log: str = "stderr"  # "stderr", "stdout", a file path, or "off": one JSON line per tool call
    audit_spl: bool = False  # include the SPL text in audit lines

    # Splunk connections
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    worker_threads: int = Field(32, ge=1, le=1024)
    pool_max_size: int = Field(256, ge=1)
    pool_idle_seconds: float = Field(900.0, gt=0)

    # Stateful MCP sessions (handshake-era clients)
    session_idle_seconds: float = Field(1800.0, gt=0)
    session_cache_size: int = Field(10_000, ge=1)

    # Capabilities and guardrails (no tool argument can loosen these; only the operator can)
    allow_writes: bool = False
    allow_alert_actions: bool = False  # run_saved_search may trigger a saved search's alert actions
    allowed_spl_commands: frozenset[str] = frozenset()  # commands the SPL policy denies by default, permitted here
    default_row_limit: int = Field(100, ge=1)
    max_row_limit: int = Field(10_000, ge=1)
    max_output_chars: int = Field(200_000, ge=1_000)  # per tool result, structured and text parts together
    default_earliest: str = "-24h"
    max_search_days: float = Field(31.0, ge=0)  # widest time range a search may cover; 0 = no limit
    allow_all_time: bool = False  # searches with no lower time bound (earliest=0) need this
    search_wait_seconds: float = Field(30.0, gt=0)
    max_wait_seconds: float = Field(300.0, gt=0)
    job_ttl_seconds: int = Field(600, ge=60)  # how long Splunk keeps the results of jobs the gateway creates
    max_export_rows: int = Field(100_000, ge=1)

    @field_validator(
        "allowed_spl_commands",
        "jwt_required_scopes",
        "allowed_hosts",
        "allowed_origins",
        "allowed_targets",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("allowed_spl_commands")
    @classmethod
    def _lower_case(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(v.lower() for v in value)

    @field_validator("path")
    @classmethod
    def _path_starts_with_slash(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value.rstrip("/") or "/"


class Settings:
    """Both halves, read together."""

    def __init__(self, splunk: SplunkDefaults | None = None, gateway: GatewaySettings | None = None) -> None:
        self.splunk = splunk if splunk is not None else SplunkDefaults()
        self.gateway = gateway if gateway is not None else GatewaySettings()
