"""``HostAuthorityMiddleware``: refuse a Host or Origin header that is not a well-formed authority.

FastMCP's Host check (421) cuts a value down to a host before matching it against the allowed hosts, so
``Host: 127.0.0.1:8003@evil.example`` passed as 127.0.0.1. This middleware runs before that check and answers
400 to any Host that is not exactly ``host[:port]`` (RFC 3986 section 3.2.2-3.2.3, RFC 9110 section 7.2): a DNS
name, a dotted-quad IPv4 address or a bracketed IPv6 literal, then optionally ``:`` and a decimal port. A
well-formed but foreign Host still reaches FastMCP's 421. An Origin, when sent, must be ``scheme://host[:port]``
or ``null`` (RFC 6454); whether it is allowed stays FastMCP's decision (403).

A request without any Host is refused, except ``GET /health`` and ``GET /health/live``: load balancers probe them
over HTTP/1.0 without one. Answers name the header and what is expected; they never echo its value.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from mcp_splunk.http.responses import send_jsonrpc_error

# A 253-character name, its root dot, ":" and a 5-digit port; a bracketed IPv6 literal with a port is shorter.
MAX_AUTHORITY = 253 + 1 + 1 + 5
# What /health without a Host is passed on with: FastMCP always allows it, and no browser omits Host.
HEALTH_HOST = b"localhost"
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"  # underscores: Docker service names carry them
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"  # no leading zeros: some parsers read them as octal
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# A name whose last label is a number is an IPv4 address in another spelling (127.1, 2130706433, 0x7f.1) that
# parsers disagree about; only the dotted quad is taken.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_PORT = re.compile(r"[0-9]{1,5}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}")

EXPECTED_HOST = (
    "host[:port]: a host name, an IPv4 address or a bracketed IPv6 address, optionally followed by ':' and a "
    "port from 0 to 65535 (for example Host: 127.0.0.1:8003, Host: localhost:8003 or Host: [::1]:8003), without "
    "user info, path, query, spaces or percent-encoding"
)
MALFORMED_HOST = f"Bad Request: the Host header must be {EXPECTED_HOST}."
DUPLICATE_HOST = f"Bad Request: the Host header was sent more than once; send it once, as {EXPECTED_HOST}."
MISSING_HOST = (
    f"Bad Request: the Host header is missing; send it as {EXPECTED_HOST}. Only GET /health and /health/live "
    "answer without one."
)
MALFORMED_ORIGIN = (
    "Bad Request: the Origin header must be scheme://host[:port] with nothing after it (for example "
    "Origin: http://localhost:6274) or null."
)
DUPLICATE_ORIGIN = "Bad Request: the Origin header was sent more than once; send it once, as scheme://host[:port]."


def is_authority(value: str) -> bool:
    """Whether ``value`` is exactly ``host[:port]``, as a Host header value must be."""
    if not value or len(value) > MAX_AUTHORITY or not value.isascii():
        return False
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return False
        host, rest = value[: end + 1], value[end + 1 :]
    else:
        host, colon, port = value.partition(":")
        rest = colon + port
    if rest and (rest[0] != ":" or not _is_port(rest[1:])):
        return False
    return _is_host(host)


def is_origin(value: str) -> bool:
    """Whether ``value`` is a serialized origin: ``scheme://host[:port]`` or ``null``."""
    if value == "null":  # sent by sandboxed frames and file: pages; FastMCP decides whether it is allowed
        return True
    scheme, separator, authority = value.partition("://")
    return bool(separator) and _SCHEME.fullmatch(scheme) is not None and is_authority(authority)


def _is_port(text: str) -> bool:
    return _PORT.fullmatch(text) is not None and int(text) <= 65535


def _is_host(host: str) -> bool:
    if host.startswith("["):
        literal = host[1:-1]
        if not host.endswith("]") or "%" in literal:  # a zone id (fe80::1%eth0) has no place in a Host
            return False
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
        return True
    if _IPV4.fullmatch(host):
        return True
    if _NAME.fullmatch(host) is None or len(host.rstrip(".")) > 253:
        return False
    return _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]) is None


class HostAuthorityMiddleware:
    def __init__(self, app: Any, health_path: str = "/health") -> None:
        self.app = app
        self.health_path = health_path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name.lower() == b"host"]
        origins = [value for name, value in scope["headers"] if name.lower() == b"origin"]
        problem = self._problem(scope, hosts, origins)
        if problem is not None:
            await send_jsonrpc_error(send, 400, problem)
            return
        if not hosts:  # only the health probe gets here without one
            scope = {**scope, "headers": [*scope["headers"], (b"host", HEALTH_HOST)]}
        await self.app(scope, receive, send)

    def _problem(self, scope: dict[str, Any], hosts: list[bytes], origins: list[bytes]) -> str | None:
        if len(hosts) > 1:
            return DUPLICATE_HOST
        probe = scope["method"] in ("GET", "HEAD") and scope["path"] in (self.health_path, self.health_path + "/live")
        if not hosts and not probe:
            return MISSING_HOST
        if hosts and not is_authority(hosts[0].decode("latin-1")):
            return MALFORMED_HOST
        if len(origins) > 1:
            return DUPLICATE_ORIGIN
        if origins and not is_origin(origins[0].decode("latin-1")):
            return MALFORMED_ORIGIN
        return None
