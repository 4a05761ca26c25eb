"""Reading and validating a request's ``X-Splunk-*`` headers.

Validation happens here, once, before the MCP layer runs: a bad port, scheme or boolean, a duplicated header,
control characters or an unknown ``X-Splunk-*`` name are a clear 400. Messages name the header and what is
expected, with an example; they never echo a value: a client may have put a secret in the wrong header.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from difflib import get_close_matches

from mcp_splunk.errors import HeaderError
from mcp_splunk.secret import Secret
from mcp_splunk.splunk.config import HeaderParams

PREFIX = b"x-splunk-"
MAX_VALUE_LENGTH = 8192
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_NAMESPACE = re.compile(r"^(?:-|[A-Za-z0-9_][A-Za-z0-9_.@-]{0,79})$")
_USERNAME = re.compile(r"^[^\s\"'\\/:;|,<>*?=]{1,256}$")
_CANONICAL = {
    "host": "X-Splunk-Host",
    "port": "X-Splunk-Port",
    "scheme": "X-Splunk-Scheme",
    "username": "X-Splunk-Username",
    "password": "X-Splunk-Password",
    "token": "X-Splunk-Token",
    "session-key": "X-Splunk-Session-Key",
    "verify-ssl": "X-Splunk-Verify-SSL",
    "app": "X-Splunk-App",
    "owner": "X-Splunk-Owner",
}
_SECRETS = frozenset({"password", "token", "session-key"})
_ALIASES = {
    "user": "username",
    "pass": "password",
    "sessionkey": "session-key",
    "verifyssl": "verify-ssl",
    "ssl-verify": "verify-ssl",
    "verify": "verify-ssl",
    "session": "session-key",
    "auth-token": "token",
}


def parse_splunk_headers(raw_headers: Iterable[tuple[bytes, bytes]]) -> HeaderParams | None:
    """The request's ``X-Splunk-*`` headers as ``HeaderParams``; None when it sent none."""
    values: dict[str, str] = {}
    for raw_name, raw_value in raw_headers:
        name = raw_name.lower()
        if not name.startswith(PREFIX):
            continue
        key = name[len(PREFIX) :].decode("latin-1")
        if key not in _CANONICAL:
            raise HeaderError(_unknown_header(key))
        value = _decode(key, raw_value)
        if key in values and values[key] != value:
            raise HeaderError(f"{_CANONICAL[key]} was sent more than once with different values; send it once.")
        values[key] = value
    if not values:
        return None
    return HeaderParams(
        host=_host(values["host"]) if "host" in values else None,
        port=_port(values["port"]) if "port" in values else None,
        scheme=_scheme(values["scheme"]) if "scheme" in values else None,
        username=_username(values["username"]) if "username" in values else None,
        password=_secret("password", values),
        token=_secret("token", values),
        session_key=_secret("session-key", values),
        verify_ssl=_boolean(values["verify-ssl"]) if "verify-ssl" in values else None,
        app=_namespace("app", values["app"]) if "app" in values else None,
        owner=_namespace("owner", values["owner"]) if "owner" in values else None,
        names=tuple(_CANONICAL[k] for k in sorted(values)),
    )


def _unknown_header(key: str) -> str:
    shown = f"X-Splunk-{key.title()}"
    guess = _ALIASES.get(key) or next(iter(get_close_matches(key, _CANONICAL, n=1)), None)
    hint = f" Did you mean {_CANONICAL[guess]}?" if guess else ""
    return f"Unknown header {shown[:80]}.{hint} Known headers: {', '.join(_CANONICAL.values())}."


def _decode(key: str, raw: bytes) -> str:
    header = _CANONICAL[key]
    if len(raw) > MAX_VALUE_LENGTH:
        raise HeaderError(f"{header} is too long ({len(raw)} bytes; at most {MAX_VALUE_LENGTH}).")
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HeaderError(f"{header} is not valid UTF-8.") from None
    if any(unicodedata.category(c) == "Cc" for c in value):  # C0 (tab included), DEL and C1
        raise HeaderError(f"{header} contains control characters.")
    value = value.strip()
    if not value:
        raise HeaderError(f"{header} is empty; omit it or give a value.")
    return value


def _host(value: str) -> str:
    if _HOSTNAME.match(value):
        return value
    literal = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if _is_ipv6(literal):
        return literal
    raise HeaderError(
        "X-Splunk-Host must be a host name or IP address (no scheme, port or path), "
        "for example splunk.example.com, 10.0.0.5 or [fd00::5]."
    )


def _is_ipv6(text: str) -> bool:
    if "%" in text:  # a zone id (fe80::1%eth0) cannot be written into a URL as it is
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _port(value: str) -> int:
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 65535:
        return int(value)
    raise HeaderError("X-Splunk-Port must be an integer from 1 to 65535, for example 8089.")


def _scheme(value: str) -> str:
    if value.lower() in ("http", "https"):
        return value.lower()
    raise HeaderError("X-Splunk-Scheme must be 'https' or 'http', for example https.")


def _boolean(value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise HeaderError("X-Splunk-Verify-SSL must be true or false (also 1/0, yes/no, on/off), for example true.")


def _username(value: str) -> str:
    if _USERNAME.match(value):
        return value
    raise HeaderError(
        "X-Splunk-Username must be a Splunk user name: 1 to 256 characters without spaces, quotes or "
        "\\ / : ; | , < > * ? =, for example admin."
    )


def _namespace(key: str, value: str) -> str:
    if _NAMESPACE.match(value):
        return value
    raise HeaderError(
        f"{_CANONICAL[key]} must be an app or user name (letters, digits, '_', '.', '-', '@'), "
        f"for example {'search' if key == 'app' else 'nobody'}."
    )


def _secret(key: str, values: dict[str, str]) -> Secret | None:
    assert key in _SECRETS
    if key not in values:
        return None
    value = values[key]
    # Tokens and session keys travel in an HTTP Authorization header, which carries ASCII only; passwords travel
    # in a form body and may be any text. The message never shows the value.
    if key != "password" and not (value.isascii() and value.isprintable() and " " not in value):
        raise HeaderError(
            f"{_CANONICAL[key]} must be the value Splunk issued: printable ASCII without spaces "
            "(check for a stray character or a wrong copy)."
        )
    return Secret(value)
