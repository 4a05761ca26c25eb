"""Gateway authentication: who may use the gateway, independent of the Splunk credentials they send.

``none`` (loopback only, unless the operator insists), static bearer tokens (kept only as SHA-256 digests and
compared in constant time), or JWTs checked by FastMCP's ``JWTVerifier`` (public key or JWKS, issuer, audience,
scopes), then by ``TimeCheckedJWTVerifier`` (``exp`` required, ``nbf`` and ``iat`` not in the future). With JWTs
and a public URL, FastMCP's ``RemoteAuthProvider`` serves the OAuth protected resource metadata (RFC 9728) that
MCP clients discover the authorization server from. The gateway's own ``Authorization`` header is consumed here
and never reaches Splunk: Splunk credentials travel only in ``X-Splunk-*`` headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastmcp.server.auth import AccessToken, AuthProvider, RemoteAuthProvider, TokenVerifier
from fastmcp.server.auth.providers.jwt import JWTVerifier
from fastmcp.server.dependencies import get_access_token
from joserfc.errors import ClaimError
from joserfc.jwt import JWTClaimsRegistry
from pydantic import AnyHttpUrl
from starlette.middleware import Middleware
from starlette.routing import Route

from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings

logger = logging.getLogger("mcp_splunk.auth")

_TIME_CLAIMS = ("exp", "nbf", "iat")
METADATA_ROOT = "/.well-known/oauth-protected-resource"
UNKNOWN_CREDENTIAL = (
    "The gateway token is wrong or unknown. This gateway (MCP_SPLUNK_AUTH=token) accepts only the tokens its "
    "operator listed in MCP_SPLUNK_AUTH_TOKENS or MCP_SPLUNK_AUTH_TOKENS_FILE: check the Authorization: Bearer "
    "header your MCP client sends (the gateway token, not a Splunk token, which goes in X-Splunk-Token), or ask "
    "the operator for a token."
)


class HashedTokenVerifier(TokenVerifier):
    """Static bearer tokens: only their digests are kept, and every digest is compared on each request."""

    def __init__(self, tokens: Mapping[str, str], required_scopes: list[str] | None = None) -> None:
        super().__init__(required_scopes=required_scopes)
        if not tokens:
            raise ValueError("token authentication needs at least one token")
        self._digests = [(self._digest(token), principal) for token, principal in tokens.items()]

    @staticmethod
    def _digest(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    async def verify_token(self, token: str) -> AccessToken | None:
        digest = self._digest(token)
        principal = None
        for stored, name in self._digests:  # no early exit: the time taken does not depend on which one matched
            if hmac.compare_digest(stored, digest):
                principal = name
        if principal is None:
            return None
        return AccessToken(token=token, client_id=principal, scopes=list(self.required_scopes or []))

    def get_middleware(self) -> list[Any]:
        return [*super().get_middleware(), Middleware(WrongTokenAnswer)]


class WrongTokenAnswer:
    """Answers a request whose static token matched none with what to check.

    FastMCP's own answer is written for OAuth clients ("re-register and obtain new tokens"), which misleads with
    static tokens. This runs right after the authentication middleware, which leaves such a request anonymous.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["user"].is_authenticated or not _sends_bearer(scope["headers"]):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "invalid_token", "error_description": UNKNOWN_CREDENTIAL}).encode()
        challenge = f'Bearer error="invalid_token", error_description="{UNKNOWN_CREDENTIAL}"'
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", challenge.encode()),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _sends_bearer(headers: list[tuple[bytes, bytes]]) -> bool:
    # As the authentication middleware reads it: another scheme (Basic) is no token at all, answered by FastMCP.
    return any(name == b"authorization" and value[:7].lower() == b"bearer " for name, value in headers)


class TimeCheckedJWTVerifier(JWTVerifier):
    """FastMCP's ``JWTVerifier`` plus the time claims it leaves alone.

    ``JWTVerifier`` checks the signature, issuer, audience, scopes and, when present, ``exp`` (with no leeway);
    it ignores ``nbf`` and ``iat`` and accepts a token with no ``exp`` at all, which never expires. This runs
    only on tokens it has already accepted, on the claims it verified, so it can refuse more but never less.
    """

    def __init__(self, *, leeway_seconds: int = 0, require_exp: bool = True, **verifier: Any) -> None:
        super().__init__(**verifier)
        self.leeway_seconds = leeway_seconds
        self.require_exp = require_exp

    async def verify_token(self, token: str) -> AccessToken | None:
        access = await super().verify_token(token)
        if access is None:
            return None
        # joserfc (what JWTVerifier decodes with) has the RFC 7519 checks: NumericDate types, nbf/iat no later than
        # now + leeway, exp after now - leeway. Only the time claims are handed over, so nothing else tightens.
        registry = JWTClaimsRegistry(leeway=self.leeway_seconds, exp={"essential": self.require_exp})
        try:
            registry.validate({name: access.claims[name] for name in _TIME_CLAIMS if name in access.claims})
        except ClaimError as error:
            # The claim's name and a fixed description only: never the token, its subject or the claim's value.
            logger.info("JWT refused: %s (claim %r)", error.description, error.claim)
            return None
        return access


class ProtectedResource(RemoteAuthProvider):
    """FastMCP's RFC 9728 provider, with the metadata also at the root well-known URL.

    RFC 9728 section 3.1 puts the metadata of ``https://host/mcp`` at ``/.well-known/oauth-protected-resource/mcp``,
    which FastMCP serves and names in ``WWW-Authenticate``; clients of MCP revisions before 2025-06-18 (and some
    since) look only at ``/.well-known/oauth-protected-resource``, so the same document is served there too.
    """

    def get_routes(self, mcp_path: str | None = None) -> list[Route]:
        routes = super().get_routes(mcp_path)
        suffixed = [r for r in routes if r.path.startswith(METADATA_ROOT + "/")]
        routes += [Route(METADATA_ROOT, endpoint=r.endpoint, methods=["GET", "OPTIONS"]) for r in suffixed[:1]]
        return routes


def authorization_servers(settings: GatewaySettings) -> list[str]:
    """Who issues the gateway's JWTs, as RFC 9728 names them: the setting, else the issuer when it is a URL."""
    if settings.jwt_authorization_servers:
        return sorted(settings.jwt_authorization_servers)
    issuer = settings.jwt_issuer or ""
    return [issuer] if urlsplit(issuer).scheme in ("http", "https") and urlsplit(issuer).netloc else []


def parse_tokens(text: str, origin: str) -> dict[str, str]:
    """``principal:token`` entries (comma- or newline-separated) as token → principal."""
    tokens: dict[str, str] = {}
    for number, raw in enumerate(text.replace(",", "\n").splitlines(), start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        principal, sep, token = entry.partition(":")
        if not sep or not principal.strip() or len(token.strip()) < 16:
            raise ValueError(
                f"{origin}, entry {number}: expected 'principal:token' with a token of at least 16 characters"
            )
        Secret(token.strip())  # registers the token with the log redactor
        tokens[token.strip()] = principal.strip()
    return tokens


def build_auth(settings: GatewaySettings) -> AuthProvider | None:
    """The FastMCP auth provider for the settings; raises ``ValueError`` saying what is missing."""
    if settings.auth == "none":
        return None
    if settings.auth == "token":
        tokens: dict[str, str] = {}
        if settings.auth_tokens is not None:
            tokens.update(parse_tokens(settings.auth_tokens.get_secret_value(), "MCP_SPLUNK_AUTH_TOKENS"))
        if settings.auth_tokens_file is not None:
            tokens.update(parse_tokens(settings.auth_tokens_file.read_text(), str(settings.auth_tokens_file)))
        if not tokens:
            raise ValueError("MCP_SPLUNK_AUTH=token needs MCP_SPLUNK_AUTH_TOKENS or MCP_SPLUNK_AUTH_TOKENS_FILE")
        return HashedTokenVerifier(tokens)
    key = settings.jwt_public_key
    if key and not key.lstrip().startswith("-----BEGIN") and Path(key).is_file():
        key = Path(key).read_text()
    if not key and not settings.jwt_jwks_uri:
        raise ValueError("MCP_SPLUNK_AUTH=jwt needs MCP_SPLUNK_JWT_PUBLIC_KEY or MCP_SPLUNK_JWT_JWKS_URI")
    verifier = TimeCheckedJWTVerifier(
        leeway_seconds=settings.jwt_leeway_seconds,
        require_exp=not settings.jwt_allow_no_exp,
        public_key=key or None,
        jwks_uri=settings.jwt_jwks_uri,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        required_scopes=sorted(settings.jwt_required_scopes) or None,
    )
    servers = authorization_servers(settings)
    if settings.public_url is None or not servers:
        missing = "MCP_SPLUNK_PUBLIC_URL" if settings.public_url is None else "MCP_SPLUNK_JWT_AUTHORIZATION_SERVERS"
        logger.info("No OAuth discovery (RFC 9728) for MCP clients: set %s to serve it", missing)
        return verifier
    return ProtectedResource(
        token_verifier=verifier,
        authorization_servers=[AnyHttpUrl(server) for server in servers],
        base_url=settings.public_url,
        resource_name="mcp-splunk",
    )


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unauthenticated_exposure(settings: GatewaySettings) -> str | None:
    """Why the gateway must not start as configured (no auth on a non-loopback address), or None."""
    if settings.auth != "none" or settings.allow_unauthenticated or is_loopback(settings.host):
        return None
    return (
        f"refusing to listen on {settings.host} without authentication: anyone who can reach it could use "
        "Splunk through it. Set MCP_SPLUNK_AUTH=token (with MCP_SPLUNK_AUTH_TOKENS) or MCP_SPLUNK_AUTH=jwt, or "
        "pass --allow-unauthenticated if another layer authenticates callers."
    )


def current_principal(remote: str | None = None) -> str:
    """Who is calling: the verified token's principal, else the caller's address."""
    token = get_access_token()
    if token is not None:
        return token.client_id
    return f"anonymous@{remote}" if remote else "anonymous"
