"""Server settings from the environment (and ``.env``, loaded by the CLI before these are read).

``SPLUNK_*`` describe the server's default Splunk; ``MCP_SPLUNK_*`` configure the gateway itself. Every CLI
flag of ``mcp-splunk serve`` overrides the matching ``MCP_SPLUNK_*`` variable; ``.env.example`` lists them.
``load_settings`` reports each refused value as one line naming the variable and a good value (the field's
``examples`` entry, else its default).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import BeforeValidator, Field, FilePath, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
# The catalogue's toolsets (tools/registry.py fills them): MCP_SPLUNK_TOOLSETS and X-MCP-Toolsets name these.
TOOLSETS = ("search", "discovery", "knowledge", "kvstore", "platform", "writes")

# A JSON list opens with '[' and then a quote or ']'; a bracketed IPv6 target ("[::1]:8089") never does.
_JSON_LIST = re.compile(r"\[\s*[\"'\]]")


def _list_items(value: object) -> object:
    """A list setting given as text: a JSON list of strings, or comma-separated. Blank entries are dropped."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _JSON_LIST.match(text):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("starts like a JSON list but is not valid JSON (strings in double quotes)") from None
        if not all(isinstance(item, str) for item in items):
            raise ValueError("a JSON list here holds strings only")
    else:
        items = text.split(",")
    return frozenset(item.strip() for item in items if item.strip())


_ENDPOINT = re.compile(r"/?[\w.:@*-]+(?:/[\w.:@*-]+)*/?")

# NoDecode: pydantic-settings would JSON-decode the variable before any validator ran, so the comma-separated
# form documented in .env.example could not even reach _list_items.
TextList = Annotated[frozenset[str], NoDecode, BeforeValidator(_list_items)]


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
    ca_bundle: FilePath | None = Field(None, examples=["/etc/ssl/certs/corp-ca.pem"])
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
    # One "principal:token" per line
    auth_tokens_file: FilePath | None = Field(None, examples=["/etc/mcp-splunk/tokens"])
    jwt_public_key: str | None = None  # PEM text, or a path to a PEM file
    jwt_jwks_uri: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_required_scopes: TextList = Field(frozenset(), examples=["mcp:read,mcp:search"])
    jwt_leeway_seconds: int = Field(30, ge=0, le=300)  # clock skew allowed on nbf and iat
    jwt_allow_no_exp: bool = False  # accept JWTs that carry no exp (they never expire)
    # Named in the OAuth protected resource metadata (RFC 9728); empty = the issuer, when it is a URL
    jwt_authorization_servers: TextList = Field(frozenset(), examples=["https://idp.example.com"])
    # The gateway's origin as clients reach it: the RFC 9728 resource (with `path`) and an allowed Host
    public_url: str | None = Field(None, examples=["https://mcp.example.com"])
    allow_unauthenticated: bool = False  # permit auth=none on a non-loopback address
    # Host header values accepted besides loopback, and browser Origins accepted (fnmatch patterns)
    allowed_hosts: TextList = Field(frozenset(), examples=["mcp.example.com,*.corp.example"])
    allowed_origins: TextList = Field(frozenset(), examples=["https://app.example.com"])

    # Which Splunk targets clients may name (the server's own default target is always allowed): host patterns
    # and CIDRs, each optionally ":port"; empty = any
    allowed_targets: TextList = Field(frozenset(), examples=["*.corp.example,10.0.0.0/8:8089"])
    allow_http_targets: bool = False  # plaintext http to a non-loopback Splunk
    allow_insecure_tls: bool = False  # honour X-Splunk-Verify-SSL: false

    # Abuse and accountability
    # Tool calls per minute per principal; None = 120, or off on loopback
    rate_limit_per_minute: int | None = Field(None, ge=0, examples=["120"])
    rate_limit_burst: int = Field(20, ge=1)
    audit_log: str = "stderr"  # "stderr", "stdout", a file path, or "off": one JSON line per tool call
    audit_spl: bool = False  # include the SPL text in audit lines

    # Observability (docs/OBSERVABILITY.md)
    log_format: Literal["text", "json"] = "text"  # json: every log line is one JSON object
    metrics: bool = True  # Prometheus metrics at /metrics (HTTP transport)
    # What scrapers send as "Authorization: Bearer"; unset, /metrics asks for the gateway's own auth (if any)
    metrics_token: SecretStr | None = Field(None, examples=["a-long-random-scrape-token"])
    traces: Literal["off", "otlp"] = "off"  # otlp: export traces (the otel extra; OTEL_EXPORTER_OTLP_* settings)

    # Splunk connections
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    worker_threads: int = Field(32, ge=1, le=1024)
    pool_max_size: int = Field(256, ge=1)
    pool_idle_seconds: float = Field(900.0, gt=0)

    # Stateful MCP sessions (handshake-era clients)
    session_idle_seconds: float = Field(1800.0, gt=0)
    session_cache_size: int = Field(10_000, ge=1)

    # Several replicas (docs/SCALING.md): shared state, proxies, draining
    state_url: SecretStr | None = Field(None, examples=["redis://127.0.0.1:6379/0"])  # may carry a password
    state_key_prefix: str = Field("mcp_splunk", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # A Fernet key; the example only shows the form: make your own with `mcp-splunk new-state-key`
    state_encryption_key: SecretStr | None = Field(None, examples=["YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY="])
    state_failure: Literal["closed", "open"] = "closed"  # when the shared state is unreachable
    trusted_proxies: TextList = Field(frozenset(), examples=["10.0.0.0/8,127.0.0.1"])
    drain_seconds: float = Field(30.0, ge=0, le=3600)  # how long SIGTERM waits for calls in flight

    # Capabilities and guardrails (no tool argument can loosen these; only the operator can)
    allow_writes: bool = False
    # What the server offers (after allow_writes, which its check reads); empty = every read toolset, plus writes
    # when allowed
    toolsets: TextList = Field(frozenset(), examples=["search,discovery"])
    allow_alert_actions: bool = False  # run_saved_search may trigger a saved search's alert actions
    # Long searches as MCP tasks for 2026-07-28 clients that ask (fastmcp-tasks), kept in-process, or in
    # state_url's Redis (then encrypted with state_encryption_key)
    tasks: bool = False
    # Commands added to the SPL policy's read-only list (writing ones also need allow_writes)
    allowed_spl_commands: TextList = Field(frozenset(), examples=["outputlookup"])
    # REST endpoints `| rest` may read besides the built-in list (`*` is one path segment)
    allowed_rest_endpoints: TextList = Field(frozenset(), examples=["configs/conf-*,data/inputs/monitor"])
    max_map_searches: int = Field(10, ge=1, le=10_000)  # the most searches one `| map` may run
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
    max_lookup_bytes: int = Field(262_144, ge=1, le=100_000_000)  # the largest CSV upload_lookup_file accepts

    @field_validator("allowed_spl_commands")
    @classmethod
    def _lower_case(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(v.lower() for v in value)

    @field_validator("allowed_rest_endpoints")
    @classmethod
    def _endpoint_paths(cls, value: frozenset[str]) -> frozenset[str]:
        if any(not _ENDPOINT.fullmatch(v) or ".." in v.split("/") for v in value):
            raise ValueError(
                "holds an entry that is not an endpoint path such as configs/conf-* (letters, digits, _-.:@*, '/')"
            )
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("must be at least 16 characters (make one with: openssl rand -hex 32)")
        return value

    @field_validator("toolsets")
    @classmethod
    def _known_toolsets(cls, value: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        value = frozenset(v.lower() for v in value)
        if not value <= set(TOOLSETS):
            raise ValueError(f"names a toolset that does not exist; the toolsets are {', '.join(TOOLSETS)}")
        if "writes" in value and info.data.get("allow_writes") is False:
            raise ValueError("names writes, which also needs MCP_SPLUNK_ALLOW_WRITES=true (or --allow-writes)")
        return value

    @field_validator("jwt_authorization_servers")
    @classmethod
    def _server_urls(cls, value: frozenset[str]) -> frozenset[str]:
        if any(urlsplit(v).scheme not in ("http", "https") or not urlsplit(v).netloc for v in value):
            raise ValueError("holds an entry that is not an http(s) URL such as https://idp.example.com")
        return value

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        extra = parts.path.strip("/") or parts.query or parts.fragment or parts.username
        if parts.scheme not in ("http", "https") or not parts.hostname or extra:
            raise ValueError(
                "must be the gateway's origin as clients reach it, such as https://mcp.example.com "
                "(no path: MCP_SPLUNK_PATH adds it)"
            )
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("state_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme not in ("redis", "rediss"):
            raise ValueError("must be a redis:// or rediss:// URL (Redis or Valkey), such as redis://host:6379/0")
        return value

    @field_validator("tasks")
    @classmethod
    def _tasks_encrypted(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("state_url") is not None and info.data.get("state_encryption_key") is None:
            raise ValueError(
                "with MCP_SPLUNK_STATE_URL set, tasks are kept in Redis with the caller's X-Splunk-* credentials: "
                "set MCP_SPLUNK_STATE_ENCRYPTION_KEY too (make one with mcp-splunk new-state-key)"
            )
        return value

    @field_validator("state_encryption_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Fernet(value.get_secret_value().encode())
            except (ValueError, TypeError):
                raise ValueError(
                    "must be a Fernet key (32 bytes, url-safe base64): make one with mcp-splunk new-state-key"
                ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: frozenset[str]) -> frozenset[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError("holds an entry that is not an IP address or CIDR such as 10.0.0.0/8") from None
        return value

    @field_validator("path")
    @classmethod
    def _path_starts_with_slash(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value.rstrip("/") or "/"

    @field_validator("audit_log")
    @classmethod
    def _audit_destination(cls, value: str) -> str:
        # Checked here so that a typo names MCP_SPLUNK_AUDIT_LOG rather than surfacing as a bare OSError.
        if value not in ("stderr", "stdout", "off") and (Path(value).is_dir() or not Path(value).parent.is_dir()):
            raise ValueError("must be stderr, stdout, off, or a file in an existing directory")
        return value


class Settings:
    """Both halves, read together."""

    def __init__(self, splunk: SplunkDefaults | None = None, gateway: GatewaySettings | None = None) -> None:
        self.splunk = splunk if splunk is not None else SplunkDefaults()
        self.gateway = gateway if gateway is not None else GatewaySettings()


class InvalidSettings(Exception):
    """Refused settings: ``lines`` holds one line per bad setting."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings(flags: Mapping[str, Any] | None = None, splunk_flags: Mapping[str, Any] | None = None) -> Settings:
    """Both halves from the environment, ``flags`` (``serve`` options by field name) overriding ``MCP_SPLUNK_*``
    and ``splunk_flags`` (``doctor`` options) overriding ``SPLUNK_*``.

    Raises ``InvalidSettings`` describing every bad setting of both halves at once.
    """
    flags = flags or {}
    splunk_flags = splunk_flags or {}
    lines: list[str] = []
    splunk = gateway = None
    try:
        splunk = SplunkDefaults(**splunk_flags)
    except ValidationError as exc:
        lines += _describe(exc, SplunkDefaults, splunk_flags)
    try:
        gateway = GatewaySettings(**flags)
    except ValidationError as exc:
        lines += _describe(exc, GatewaySettings, flags)
    if splunk is None or gateway is None:
        raise InvalidSettings(lines)
    return Settings(splunk, gateway)


def _describe(error: ValidationError, model: type[BaseSettings], flags: Collection[str] = ()) -> list[str]:
    """One line per bad setting: its name (the flag if one was given, else the variable), what is wrong, and a good
    value. Never the bad value itself: some settings are secrets."""
    problems: dict[str, list[str]] = {}
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        messages = problems.setdefault(str(item["loc"][0]), [])
        message = item["msg"].removeprefix("Value error, ")
        if message not in messages:
            messages.append(message)
    lines = []
    for field, messages in problems.items():
        info = model.model_fields[field]
        example = info.examples[0] if info.examples else info.default
        example = str(example).lower() if isinstance(example, bool) else str(example)
        if field in flags:
            name = "--" + field.replace("_", "-")
            good = f"{name} {example}"
        else:
            name = f"{model.model_config.get('env_prefix', '')}{field.upper()}"
            good = f"{name}={example}"
        lines.append(f"{name}: {'; '.join(messages)}; for example {good}")
    return lines
