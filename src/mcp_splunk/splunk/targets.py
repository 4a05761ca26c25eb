"""Which Splunk targets the gateway will connect to, and the one address it connects to for each.

A client names a host in ``X-Splunk-Host``; without a policy the gateway would be a proxy into whatever network
it sits in. Rules: link-local and cloud-metadata addresses are always refused; an operator allow-list
(``MCP_SPLUNK_ALLOWED_TARGETS``: host patterns and CIDRs, optionally with ``:port``) restricts the rest;
plaintext http to a non-loopback host and a client's request to skip TLS verification need the operator's
consent. The name is resolved once, here, and the vetted address is the one connected to, so a DNS answer that
changes between check and use (rebinding) cannot redirect the connection.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from mcp_splunk.errors import TargetRefused
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk.config import SplunkConfig

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Never a Splunk: link-local (cloud metadata lives at 169.254.169.254), "this network", multicast, and the
# metadata endpoints of clouds that use other addresses.
ALWAYS_REFUSED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",
        "fe80::/10",
        "0.0.0.0/8",
        "224.0.0.0/4",
        "ff00::/8",
        "255.255.255.255/32",
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "192.0.0.192/32",  # Oracle Cloud metadata
        "fd00:ec2::254/128",  # AWS metadata over IPv6
    )
)
REFUSED_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"})


class UnresolvableTarget(Exception):
    """The target's name does not resolve (reported like any unreachable target)."""


@dataclass(frozen=True, slots=True)
class _Rule:
    host: str | None  # fnmatch pattern on the name
    network: Network | None
    port: int | None

    @classmethod
    def parse(cls, text: str) -> _Rule:
        entry, port = text.strip().lower(), None
        if entry.count(":") == 1 or (entry.startswith("[") and "]:" in entry):
            entry, _, port_text = entry.rpartition(":")
            port = int(port_text)
        entry = entry.strip("[]")
        try:
            return cls(None, ipaddress.ip_network(entry, strict=False), port)
        except ValueError:
            return cls(entry, None, port)

    def matches(self, host: str, address: Address, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address in self.network
        return self.host is not None and fnmatch.fnmatchcase(host.lower(), self.host)


def _normalise(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
    return address


class TargetPolicy:
    def __init__(self, settings: GatewaySettings) -> None:
        try:
            self._rules = [_Rule.parse(item) for item in settings.allowed_targets]
        except ValueError as exc:
            raise ValueError(f"MCP_SPLUNK_ALLOWED_TARGETS: {exc}") from None
        self._allow_http = settings.allow_http_targets
        self._allow_insecure = settings.allow_insecure_tls

    def vet(self, config: SplunkConfig) -> str:
        """The address to connect to for ``config``; raises ``TargetRefused`` or ``UnresolvableTarget``."""
        client_named = config.source != "env"  # the operator's own default target is trusted as configured
        if client_named and not config.verify_ssl and config.scheme == "https" and not self._allow_insecure:
            raise TargetRefused(
                "This gateway does not allow turning TLS verification off (X-Splunk-Verify-SSL: false). Connect "
                "with verification, or ask the operator for MCP_SPLUNK_ALLOW_INSECURE_TLS."
            )
        if config.host.lower().rstrip(".") in REFUSED_NAMES:
            raise _refused(config)
        addresses = self._resolve(config)
        if any(any(address in network for network in ALWAYS_REFUSED) for address in addresses):
            raise _refused(config)
        loopback = all(address.is_loopback for address in addresses)
        if client_named and config.scheme == "http" and not loopback and not self._allow_http:
            raise TargetRefused(
                f"Plaintext http to {config.target} is not allowed by this gateway: use https, or ask the operator "
                "for MCP_SPLUNK_ALLOW_HTTP_TARGETS."
            )
        if client_named and self._rules:
            allowed = [a for a in addresses if any(r.matches(config.host, a, config.port) for r in self._rules)]
            if not allowed:
                raise _refused(config)
            addresses = allowed
        return str(addresses[0])

    @staticmethod
    def _resolve(config: SplunkConfig) -> list[Address]:
        try:
            return [_normalise(ipaddress.ip_address(config.host.strip("[]")))]
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise UnresolvableTarget(config.host) from None
        return _unique(_normalise(ipaddress.ip_address(info[4][0])) for info in infos)


def _unique(addresses: Iterable[Address]) -> list[Address]:
    return list(dict.fromkeys(addresses))


def _refused(config: SplunkConfig) -> TargetRefused:
    return TargetRefused(
        f"This gateway does not connect to {config.target}: the operator's target policy does not allow it "
        "(MCP_SPLUNK_ALLOWED_TARGETS). Use an allowed Splunk."
    )
