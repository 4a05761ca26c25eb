"""``mcp-splunk doctor``: can the gateway, as configured, use its default Splunk? One line per check, in order.

The checks take the same ``SPLUNK_*``/``MCP_SPLUNK_*`` settings as ``serve`` (flags override ``SPLUNK_*``) and go
through the gateway's own Splunk layer (pool, transport, error seam), so a failure reads as a tool would report it.
Unlike the gateway's answers to clients, which are uniform so they cannot map a network, the doctor runs for the
operator and says exactly which step failed: name resolution, TCP, TLS, login, capabilities or policy.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from mcp_splunk.auth import build_auth, unauthenticated_exposure
from mcp_splunk.errors import GatewayError, TargetRefused
from mcp_splunk.settings import InvalidSettings, Settings, load_settings
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.config import SplunkConfig, resolve_config
from mcp_splunk.splunk.errors import translate
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.splunk.targets import UnresolvableTarget

OK, FAILED, SKIPPED = "✔", "✘", "-"

# Splunk capabilities the tools rely on: (capability, tools that need it, essential). Without an essential one most
# of the catalogue fails; without the others some tools see less or refuse.
CAPABILITIES: tuple[tuple[str, str, bool], ...] = (
    ("search", "run_search, export_search, the discovery listings, read_lookup and run_saved_search", True),
    ("rest_properties_get", "`| rest` in searches", False),
    ("list_settings", "get_configuration for restricted .conf files", False),
    ("edit_user", "list_users beyond the caller's own account", False),
    ("edit_roles", "list_roles beyond the caller's own roles", False),
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    mark: str
    detail: str

    @property
    def line(self) -> str:
        return f"{self.mark} {self.name}: {self.detail}"


def _kind(config: SplunkConfig) -> str:
    return config.auth_kind.replace("_", " ")


class _Failed(Exception):
    """A check failed; the message says what to fix."""


def run(flags: Mapping[str, Any]) -> int:
    """Print one line per check for the settings, ``flags`` (by field name) overriding ``SPLUNK_*``; 0 when all
    pass, 1 when one fails, 2 when the settings themselves are refused."""
    try:
        settings = load_settings(splunk_flags=flags)
    except InvalidSettings as exc:
        for line in exc.lines:
            print(f"mcp-splunk doctor: {line}", file=sys.stderr)
        return 2
    failed = False
    for check in diagnose(settings):
        print(check.line, flush=True)
        failed = failed or check.mark == FAILED
    return 1 if failed else 0


def diagnose(settings: Settings) -> Iterator[Check]:
    """The checks in order; once one fails, those that depend on it are reported as skipped, with the reason."""
    doctor = _Doctor(settings)
    # (check, step, whether it needs the checks before it); the policy is the gateway's own settings: it needs a
    # target to describe, not a working Splunk.
    steps: list[tuple[str, Callable[[], str], bool]] = [
        ("settings", doctor.settings, True),
        ("name resolution", doctor.resolve, True),
        ("tcp", doctor.connect, True),
        ("tls", doctor.tls, True),
        ("login", doctor.login, True),
        ("capabilities", doctor.capabilities, True),
        ("policy", doctor.policy, False),
    ]
    failed: str | None = None
    try:
        for name, step, dependent in steps:
            blocked = failed if dependent else ("settings" if doctor.config is None else None)
            if blocked is not None:
                yield Check(name, SKIPPED, f"skipped: {blocked} failed")
                continue
            try:
                yield Check(name, OK, step())
            except _Failed as exc:
                yield Check(name, FAILED, str(exc))
                failed = failed or name
    finally:
        doctor.close()


class _Doctor:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.config: SplunkConfig | None = None
        self._pool: ConnectionPool | None = None
        self._address = ""
        self._context: dict[str, Any] = {}

    @property
    def _target(self) -> SplunkConfig:
        assert self.config is not None  # each step runs only after settings passed
        return self.config

    @property
    def _connections(self) -> ConnectionPool:
        assert self._pool is not None
        return self._pool

    def settings(self) -> str:
        splunk = self._settings.splunk
        if not splunk.host:
            raise _Failed(
                "no Splunk to check: set SPLUNK_HOST (or --host) and credentials (SPLUNK_TOKEN, or "
                "SPLUNK_USERNAME and SPLUNK_PASSWORD)"
            )
        try:
            self.config = resolve_config(None, None, splunk)
            self._pool = ConnectionPool(self._settings.gateway)
        except (GatewayError, ValueError) as exc:
            raise _Failed(getattr(exc, "message", str(exc))) from None
        config = self.config
        trust = "verification off (SPLUNK_VERIFY_SSL=false)"
        if config.verify_ssl:
            trust = f"CA bundle {config.ca_bundle}" if config.ca_bundle else "the system's CAs"
        tls = f", TLS with {trust}" if config.scheme == "https" else ""
        who = f"as {config.username} (password)" if config.auth_kind == "password" else f"with a {_kind(config)}"
        return f"{config.target} {who}{tls}"

    def resolve(self) -> str:
        config = self._target
        try:
            self._address = self._connections.targets.vet(config)
        except UnresolvableTarget:
            raise _Failed(f"'{config.host}' does not resolve: check SPLUNK_HOST (or --host) and DNS") from None
        except TargetRefused as exc:
            raise _Failed(exc.message) from None
        if self._address == config.host.strip("[]"):
            return f"{config.host} is an address"
        return f"{config.host} resolves to {self._address}"

    def connect(self) -> str:
        config = self._target
        where = f"{self._address}:{config.port}"
        timeout = self._settings.gateway.connect_timeout
        try:
            socket.create_connection((self._address, config.port), timeout=timeout).close()
        except ConnectionRefusedError:
            raise _Failed(
                f"nothing listens on {where} (connection refused): check SPLUNK_PORT (or --port; splunkd's "
                "management port is 8089 unless changed) and that splunkd is running"
            ) from None
        except TimeoutError:
            raise _Failed(
                f"no answer from {where} within {timeout:g} s (MCP_SPLUNK_CONNECT_TIMEOUT): the host may be down, "
                "or a firewall drops the connection"
            ) from None
        except OSError as exc:
            raise _Failed(f"cannot connect to {where}: {exc.strerror or exc}") from None
        return f"{where} accepts connections"

    def tls(self) -> str:
        config = self._target
        if config.scheme == "http":
            return "not used (SPLUNK_SCHEME=http): credentials and results cross the network in plaintext"
        # An unauthenticated request through the gateway's own transport: the same TLS context, SNI and address.
        handle = self._connections.transport.handler_for(config, self._address)
        try:
            handle(f"{config.target}/services/server/info", {"method": "GET", "headers": []})
        except Exception as exc:  # the seam says what each failure means
            raise _Failed(translate(exc, config).message) from None
        if not config.verify_ssl:
            return "connected without checking the certificate (SPLUNK_VERIFY_SSL=false)"
        trust = f"CA bundle {config.ca_bundle}" if config.ca_bundle else "the system's CAs"
        return f"the certificate is valid for {config.host} and signed by a CA in {trust}"

    def login(self) -> str:
        config = self._target
        try:
            self._context = self._connections.session(config).call(ops.current_context)
        except GatewayError as exc:
            raise _Failed(exc.message) from None
        roles = ", ".join(str(r) for r in self._context.get("roles") or []) or "none"
        how = "logged in" if config.auth_kind == "password" else f"authenticated by {_kind(config)}"
        return f"{how} as {self._context.get('username') or config.principal} (roles: {roles})"

    def capabilities(self) -> str:
        held = {str(c) for c in self._context.get("capabilities") or []}
        user = self._context.get("username") or self._target.principal
        missing = [(name, needed_by) for name, needed_by, essential in CAPABILITIES if essential and name not in held]
        if missing:
            names = ", ".join(name for name, _ in missing)
            uses = "; ".join(needed_by for _, needed_by in missing)
            raise _Failed(f"'{user}' lacks {names}, which {uses} need: give '{user}' a role that grants it")
        has = ", ".join(name for name, _, _ in CAPABILITIES if name in held)
        lacks = [f"{name} ({needed_by})" for name, needed_by, _ in CAPABILITIES if name not in held]
        return f"has {has}" + (f"; lacks {', '.join(lacks)}: those see less or are refused" if lacks else "")

    def policy(self) -> str:
        gateway = self._settings.gateway
        try:
            build_auth(gateway)
        except (ValueError, OSError) as exc:
            raise _Failed(f"serve would not start: {exc}") from None
        refusal = unauthenticated_exposure(gateway)
        if refusal is not None:
            raise _Failed(f"serve would not start: {refusal}")
        parts = [
            f"writes {'on' if gateway.allow_writes else 'off'} (MCP_SPLUNK_ALLOW_WRITES)",
            f"gateway auth {gateway.auth} (MCP_SPLUNK_AUTH)",
        ]
        if gateway.allowed_targets:
            # A client that names this Splunk in X-Splunk-* headers is vetted like any other client-named target.
            try:
                self._connections.targets.vet(replace(self._target, source="headers"))
                named = "allows"
            except (TargetRefused, UnresolvableTarget):
                named = "refuses"
            listed = ",".join(sorted(gateway.allowed_targets))
            parts.append(f"clients may name only {listed} (MCP_SPLUNK_ALLOWED_TARGETS), which {named} this Splunk")
        else:
            parts.append("clients may name any Splunk (MCP_SPLUNK_ALLOWED_TARGETS is empty)")
        return "; ".join(parts)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
