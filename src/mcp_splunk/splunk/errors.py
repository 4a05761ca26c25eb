"""The one place where splunklib, httpx, socket and TLS exceptions become the gateway's own errors.

Messages say what happened and what to do, name the target but never a credential, and quote Splunk's own
message for SPL errors. Refused, unresolvable and silent targets get one uniform message, so that error texts
cannot be used to map which hosts and ports exist behind the gateway.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree.ElementTree import XML, ParseError

import httpx
from splunklib import binding

from mcp_splunk.errors import (
    GatewayError,
    SearchSyntaxError,
    SplunkAuthError,
    SplunkNotFound,
    SplunkPermissionDenied,
    SplunkRequestError,
    SplunkServerError,
    SplunkTimeout,
    SplunkUnreachable,
    TLSVerificationError,
)
from mcp_splunk.splunk.config import SplunkConfig

MAX_SPLUNK_MESSAGE = 500


def splunk_message(error: binding.HTTPError) -> str | None:
    """Splunk's own message from an error body (XML ``<response><messages>`` or JSON ``messages``); None when
    the body is not splunkd's error envelope, i.e. whatever answered is not a splunkd."""
    body = error.body or b""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        try:
            root = XML(body)
        except ParseError:
            return None
        if root.tag != "response" or root.find("./messages") is None:
            return None
        return " ".join(m.text or "" for m in root.iterfind("./messages/msg")).strip()[:MAX_SPLUNK_MESSAGE]
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        return None
    texts = (str(m.get("text", "")) for m in document["messages"] if isinstance(m, dict))
    return " ".join(texts).strip()[:MAX_SPLUNK_MESSAGE]


def unreachable(config: SplunkConfig) -> SplunkUnreachable:
    # One message for every way of "no splunkd here" (refused, silent, unresolvable, or something else
    # answering), so that error texts do not tell which hosts and ports exist behind the gateway.
    return SplunkUnreachable(
        f"Could not reach Splunk at {config.target}: the host did not accept a connection in time, refused it, "
        "or did not answer as splunkd. Check the host and port (X-Splunk-Host/-Port or SPLUNK_HOST/SPLUNK_PORT) "
        "and that splunkd is running."
    )


def translate(exc: BaseException, config: SplunkConfig) -> GatewayError:
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, binding.AuthenticationError):
        return _auth_error(config)
    if isinstance(exc, binding.HTTPError):
        return _http_error(exc, config)
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError | ssl.SSLError):
        return _tls_error(exc, config) if _is_tls_failure(exc) else unreachable(config)
    if isinstance(exc, httpx.TimeoutException):
        return SplunkTimeout(
            f"Splunk at {config.target} accepted the connection but did not answer in time. Try again, or "
            "narrow the search (time range, index) if it is a search."
        )
    if isinstance(exc, httpx.HTTPError | OSError | ParseError | ValueError | KeyError | AttributeError | IndexError):
        return unreachable(config)  # a dropped connection, a truncated or unparseable body: not splunkd's protocol
    return SplunkServerError(f"Unexpected failure talking to Splunk at {config.target}.")


def _auth_error(config: SplunkConfig) -> SplunkAuthError:
    if config.auth_kind == "password":
        what = f"the username or password for '{config.username}'"
        fix = "X-Splunk-Username/X-Splunk-Password or SPLUNK_USERNAME/SPLUNK_PASSWORD"
    elif config.auth_kind == "token":
        what, fix = "the authentication token", "X-Splunk-Token or SPLUNK_TOKEN"
    else:
        what, fix = "the session key (it may have expired)", "X-Splunk-Session-Key or SPLUNK_SESSION_KEY"
    return SplunkAuthError(f"Splunk at {config.target} rejected {what}. Check {fix}.")


def _http_error(exc: binding.HTTPError, config: SplunkConfig) -> GatewayError:
    status = exc.status
    if status == 401:
        return _auth_error(config)
    message = splunk_message(exc)
    if message is None:
        return unreachable(config)
    message = message or exc.reason or f"HTTP {status}"
    if status == 403:
        return SplunkPermissionDenied(f"Splunk refused: {message}", status)
    if status == 404:
        return SplunkNotFound(f"Splunk has no such object: {message}", status)
    if status == 400 and _looks_like_spl(message):
        return SearchSyntaxError(f"Splunk rejected the search: {message}", status)
    if status >= 500:
        return SplunkServerError(f"Splunk at {config.target} failed (HTTP {status}): {message}")
    return SplunkRequestError(f"Splunk refused the request (HTTP {status}): {message}", status)


def _looks_like_spl(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("search", "command", "spl", "parse", "quotes", "macro", "unbalanced"))


def _is_tls_failure(exc: BaseException) -> bool:
    return _ssl_error(exc) is not None or "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in type(exc).__name__


# OpenSSL's reasons when what answered a ClientHello was not TLS (an HTTP reply, typically "HTTP/1.1 400").
_NOT_TLS = frozenset({"WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"})
# X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH: the certificate is fine but names other hosts.
_NAME_MISMATCH = frozenset({62, 64})


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _tls_error(exc: BaseException, config: SplunkConfig) -> GatewayError:
    """What went wrong in the TLS handshake, and the one setting that fixes it."""
    cause = _ssl_error(exc)
    if cause is not None and cause.reason in _NOT_TLS:
        return TLSVerificationError(
            f"Splunk at {config.target} did not answer in TLS: this port speaks plain HTTP. Use http "
            "(X-Splunk-Scheme: http or SPLUNK_SCHEME=http), or the port where splunkd serves https."
        )
    if cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        return TLSVerificationError(
            f"The TLS handshake with Splunk at {config.target} failed ({cause.reason or 'no reason given'}). "
            "Check that this port serves https; if it serves http, use X-Splunk-Scheme: http or SPLUNK_SCHEME=http."
        )
    if cause is not None and cause.verify_code in _NAME_MISMATCH:
        return TLSVerificationError(
            f"TLS verification of Splunk at {config.target} failed: its certificate is not valid for "
            f"'{config.host}'. Connect by a name the certificate holds (X-Splunk-Host or SPLUNK_HOST)."
        )
    reason = (cause.verify_message if cause is not None else "") or "certificate verify failed"
    return TLSVerificationError(
        f"TLS verification of Splunk at {config.target} failed: {reason}. Give the gateway the CA that signed "
        "splunkd's certificate (SPLUNK_CA_BUNDLE), or connect by the name in the certificate."
    )


@contextmanager
def translated(config: SplunkConfig) -> Iterator[None]:
    try:
        yield
    except GatewayError:
        raise
    except Exception as exc:
        raise translate(exc, config) from exc
