"""Gateway authentication: who may use the gateway, independent of the Splunk credentials they send.

``none`` (loopback only, unless the operator insists), static bearer tokens (kept only as SHA-256 digests and
compared in constant time), or JWTs checked by FastMCP's ``JWTVerifier`` (public key or JWKS, issuer, audience,
scopes), then by ``TimeCheckedJWTVerifier`` (``exp`` required, ``nbf`` and ``iat`` not in the future). The
gateway's own ``Authorization`` header is consumed here and never reaches Splunk: Splunk credentials travel only
in ``X-Splunk-*`` headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastmcp.server.auth import AccessToken, AuthProvider, TokenVerifier
from fastmcp.server.auth.providers.jwt import JWTVerifier
from fastmcp.server.dependencies import get_access_token
from joserfc.errors import ClaimError
from joserfc.jwt import JWTClaimsRegistry

from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings

logger = logging.getLogger("mcp_splunk.auth")

_TIME_CLAIMS = ("exp", "nbf", "iat")


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
    return TimeCheckedJWTVerifier(
        leeway_seconds=settings.jwt_leeway_seconds,
        require_exp=not settings.jwt_allow_no_exp,
        public_key=key or None,
        jwks_uri=settings.jwt_jwks_uri,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        required_scopes=sorted(settings.jwt_required_scopes) or None,
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
