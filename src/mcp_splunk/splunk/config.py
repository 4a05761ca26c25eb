"""Which Splunk a request uses and as whom: one frozen ``SplunkConfig``, resolved in exactly one place.

Sources, in order: the request's own ``X-Splunk-*`` headers; the config a stateful MCP session's earlier
requests carried; the server's ``SPLUNK_*`` defaults. The server's credentials are only ever used with the
server's own host, port and scheme: a request that names another target must bring its own credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from mcp_splunk.errors import ConfigurationError
from mcp_splunk.secret import Secret
from mcp_splunk.settings import SplunkDefaults

ConfigSource = Literal["headers", "session", "env"]
AuthKind = Literal["token", "session_key", "password"]
# Fingerprints are keyed per process: equal configs share a pooled connection, but a fingerprint that
# reached a log would be useless for guessing the credentials behind it.
_FINGERPRINT_KEY = secrets.token_bytes(32)


@dataclass(frozen=True, slots=True)
class HeaderParams:
    """The validated ``X-Splunk-*`` headers of one HTTP request (all optional)."""

    host: str | None = None
    port: int | None = None
    scheme: str | None = None
    username: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    session_key: Secret | None = None
    verify_ssl: bool | None = None
    app: str | None = None
    owner: str | None = None
    names: tuple[str, ...] = ()  # the header names that arrived, for diagnostics

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or self.session_key or self.username or self.password)


@dataclass(frozen=True, slots=True)
class SplunkConfig:
    host: str
    port: int
    scheme: str
    username: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    session_key: Secret | None = None
    verify_ssl: bool = True
    ca_bundle: str | None = None
    app: str = "search"
    owner: str = "nobody"
    source: ConfigSource = field(default="env", compare=False)

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def auth_kind(self) -> AuthKind:
        if self.token:
            return "token"
        if self.session_key:
            return "session_key"
        return "password"

    @property
    def principal(self) -> str:
        """Who this config acts as, for logs and messages (never a secret)."""
        return self.username or ("token" if self.token else "session key")

    def fingerprint(self, key: bytes = _FINGERPRINT_KEY) -> str:
        """Equal for equal configs; ``key`` other than this process's own compares across processes (replicas)."""
        parts = (
            self.scheme,
            self.host.lower(),
            str(self.port),
            self.auth_kind,
            self.username or "",
            _reveal(self.password),
            _reveal(self.token),
            _reveal(self.session_key),
            str(self.verify_ssl),
            self.ca_bundle or "",
            self.app,
            self.owner,
        )
        return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def _reveal(secret: Secret | None) -> str:
    return secret.reveal() if secret else ""


def _same_host(a: str, b: str) -> bool:
    return a.strip("[]").lower() == b.strip("[]").lower()


def resolve_config(
    headers: HeaderParams | None, session: SplunkConfig | None, defaults: SplunkDefaults
) -> SplunkConfig:
    """The config for one request; raises ``ConfigurationError`` with what to send when there is none."""
    if headers is not None and headers.names:
        return _from_headers(headers, defaults)
    if session is not None:
        return session
    return _from_defaults(defaults)


@dataclass(frozen=True, slots=True)
class _Credentials:
    username: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    session_key: Secret | None = None

    def checked(self, origin: str) -> _Credentials:
        if self.token or self.session_key:
            return self
        if self.username and not self.password:
            raise ConfigurationError(f"{origin} gives a username but no password; send both, or a token.")
        if self.password and not self.username:
            raise ConfigurationError(f"{origin} gives a password but no username; send both, or a token.")
        if not self.username:
            raise ConfigurationError(
                f"{origin} gives no credentials: send a token, a session key, or a username and password."
            )
        return self


def _env_credentials(defaults: SplunkDefaults) -> _Credentials:
    def secret(value: SecretStr | None) -> Secret | None:
        return Secret(value.get_secret_value()) if value is not None and value.get_secret_value() else None

    return _Credentials(
        defaults.username, secret(defaults.password), secret(defaults.token), secret(defaults.session_key)
    ).checked("The server's SPLUNK_* settings")


def _from_defaults(defaults: SplunkDefaults) -> SplunkConfig:
    if not defaults.host:
        raise ConfigurationError(
            "No Splunk is configured: send X-Splunk-Host with credentials (X-Splunk-Token, or "
            "X-Splunk-Username and X-Splunk-Password), or set SPLUNK_HOST and credentials on the server."
        )
    return _build(
        defaults.host,
        defaults.port,
        defaults.scheme,
        _env_credentials(defaults),
        defaults,
        verify_ssl=defaults.verify_ssl,
        app=defaults.app,
        owner=defaults.owner,
        source="env",
    )


def _from_headers(h: HeaderParams, defaults: SplunkDefaults) -> SplunkConfig:
    host = h.host or defaults.host
    if not host:
        raise ConfigurationError(
            "The X-Splunk-* headers name no host and the server has no default Splunk: send X-Splunk-Host."
        )
    on_env_host = defaults.host is not None and _same_host(host, defaults.host)
    port = h.port or (defaults.port if on_env_host else 8089)
    scheme = h.scheme or (defaults.scheme if on_env_host else "https")
    on_env_target = on_env_host and port == defaults.port and scheme == defaults.scheme
    if h.has_credentials:
        creds = _Credentials(h.username, h.password, h.token, h.session_key).checked("The X-Splunk-* headers")
    elif on_env_target:
        creds = _env_credentials(defaults)
    else:
        raise ConfigurationError(
            f"The X-Splunk-* headers name a Splunk ({scheme}://{host}:{port}) other than the server's "
            "default, so the server's credentials are not used for it: send X-Splunk-Token, "
            "X-Splunk-Session-Key, or X-Splunk-Username and X-Splunk-Password."
        )
    return _build(
        host,
        port,
        scheme,
        creds,
        defaults,
        verify_ssl=h.verify_ssl if h.verify_ssl is not None else defaults.verify_ssl,
        app=h.app or defaults.app,
        owner=h.owner or defaults.owner,
        source="headers",
    )


def _build(
    host: str,
    port: int,
    scheme: str,
    creds: _Credentials,
    defaults: SplunkDefaults,
    *,
    verify_ssl: bool,
    app: str,
    owner: str,
    source: ConfigSource,
) -> SplunkConfig:
    return SplunkConfig(
        host=host,
        port=port,
        scheme=scheme,
        username=creds.username,
        password=creds.password,
        token=creds.token,
        session_key=creds.session_key,
        verify_ssl=verify_ssl,
        ca_bundle=str(defaults.ca_bundle) if defaults.ca_bundle else None,
        app=app,
        owner=owner,
        source=source,
    )
