"""JWT time claims (security finding 7): nbf, iat and exp are enforced, over real HTTP against running gateways."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from joserfc import jwk, jwt
from pydantic import ValidationError

from mcp_splunk.auth import TimeCheckedJWTVerifier, build_auth
from mcp_splunk.settings import GatewaySettings
from tests.support import ACCEPT, HANDSHAKE, RunningGateway, no_defaults, running_gateway

ISSUER = "https://idp.example"
AUDIENCE = "mcp-splunk"
SUBJECT = "carol-5d1e"
KEYS = RSAKeyPair.generate()
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": HANDSHAKE, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}

# Each variant maps "now" (time.time(), taken when the test runs) to the claims that differ from a good token;
# DROP removes a claim. The default leeway is 30 s, so ±10 s is clock skew and ±3600 s is not.
DROP = object()
Claims = Callable[[int], dict[str, Any]]
CURRENT: dict[str, Claims] = {
    "issued-now-expiring-in-an-hour": lambda now: {},
    "nbf-in-the-past": lambda now: {"nbf": now - 3600},
    "nbf-10s-ahead-within-leeway": lambda now: {"nbf": now + 10},
    "iat-10s-ahead-within-leeway": lambda now: {"iat": now + 10},
    "no-iat": lambda now: {"iat": DROP},
}
NOT_CURRENT: dict[str, Claims] = {
    "nbf-an-hour-ahead": lambda now: {"nbf": now + 3600},
    "nbf-just-beyond-leeway": lambda now: {"nbf": now + 90},
    "iat-an-hour-ahead": lambda now: {"iat": now + 3600},
    "no-exp": lambda now: {"exp": DROP},
    "null-exp": lambda now: {"exp": None},
    "exp-a-minute-ago": lambda now: {"iat": now - 3600, "exp": now - 60},
    "exp-a-day-ago": lambda now: {"iat": now - 2 * 86400, "exp": now - 86400},
    "nbf-not-a-number": lambda now: {"nbf": str(now)},
}

# With MCP_SPLUNK_JWT_ALLOW_NO_EXP=true a missing exp is forgiven, and nothing else is.
NO_EXP_BUT_NOT_CURRENT: dict[str, Claims] = {
    "no-exp-nbf-an-hour-ahead": lambda now: {"exp": DROP, "nbf": now + 3600},
    "no-exp-iat-an-hour-ahead": lambda now: {"exp": DROP, "iat": now + 3600},
    "exp-an-hour-ago": lambda now: {"iat": now - 7200, "exp": now - 3600},
}


def sign(changes: dict[str, Any]) -> str:
    """A correctly signed token for the right issuer and audience, with ``changes`` applied to its claims."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": SUBJECT, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 3600}
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not DROP}
    key = jwk.import_key(KEYS.private_key.get_secret_value(), "RSA")
    return jwt.encode({"alg": "RS256"}, claims, key, algorithms=["RS256"])


def token_for(variant: Claims) -> str:
    return sign(variant(int(time.time())))


def jwt_settings(**extra: Any) -> dict[str, Any]:
    return {"auth": "jwt", "jwt_public_key": KEYS.public_key, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **extra}


@pytest.fixture(scope="module")
def strict_gateway() -> Iterator[RunningGateway]:
    with running_gateway(no_defaults(), **jwt_settings()) as running:
        yield running


@pytest.fixture(scope="module")
def no_exp_gateway() -> Iterator[RunningGateway]:
    with running_gateway(no_defaults(), **jwt_settings(jwt_allow_no_exp=True)) as running:
        yield running


async def served(gateway: RunningGateway, token: str) -> bool:
    """True when a real MCP client holding ``token`` gets through the handshake and a tool call."""
    client: Client[Any] = Client(StreamableHttpTransport(gateway.url, auth=token))
    async with client:
        return bool((await client.call_tool("user_agent_info", {})).structured_content["transport"])


def refused(gateway: RunningGateway, token: str) -> httpx.Response:
    return httpx.post(
        gateway.url, headers={"Accept": ACCEPT, "Authorization": f"Bearer {token}"}, json=INITIALIZE, timeout=10
    )


def assert_refused_quietly(response: httpx.Response, token: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    echoed = response.text + " ".join(response.headers.values())
    assert token not in echoed
    assert SUBJECT not in echoed


@pytest.mark.parametrize("variant", CURRENT.values(), ids=CURRENT.keys())
async def test_a_jwt_within_its_validity_window_is_served(strict_gateway: RunningGateway, variant: Claims) -> None:
    assert await served(strict_gateway, token_for(variant))


@pytest.mark.parametrize("variant", NOT_CURRENT.values(), ids=NOT_CURRENT.keys())
def test_a_jwt_outside_its_validity_window_gets_401_without_echoing_it(
    strict_gateway: RunningGateway, variant: Claims
) -> None:
    token = token_for(variant)
    assert_refused_quietly(refused(strict_gateway, token), token)


async def test_a_jwt_without_exp_is_served_when_the_operator_allows_it(no_exp_gateway: RunningGateway) -> None:
    assert await served(no_exp_gateway, sign({"exp": DROP}))


@pytest.mark.parametrize("variant", NO_EXP_BUT_NOT_CURRENT.values(), ids=NO_EXP_BUT_NOT_CURRENT.keys())
def test_allowing_tokens_without_exp_still_refuses_other_bad_times(
    no_exp_gateway: RunningGateway, variant: Claims
) -> None:
    token = token_for(variant)
    assert_refused_quietly(refused(no_exp_gateway, token), token)


async def test_the_leeway_setting_decides_how_much_clock_skew_is_forgiven() -> None:
    token = sign({"nbf": int(time.time()) + 10})
    none = build_auth(GatewaySettings(**jwt_settings(jwt_leeway_seconds=0)))
    generous = build_auth(GatewaySettings(**jwt_settings(jwt_leeway_seconds=60)))
    assert isinstance(none, TimeCheckedJWTVerifier)
    assert isinstance(generous, TimeCheckedJWTVerifier)
    assert await none.verify_token(token) is None
    assert await generous.verify_token(token) is not None


@pytest.mark.parametrize("value", ["-1", "301", "soon"])
def test_a_jwt_leeway_outside_0_to_300_seconds_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MCP_SPLUNK_JWT_LEEWAY_SECONDS", value)
    with pytest.raises(ValidationError, match="jwt_leeway_seconds"):
        GatewaySettings()


def test_the_jwt_defaults_are_a_30_second_leeway_and_exp_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MCP_SPLUNK_JWT_LEEWAY_SECONDS", raising=False)
    monkeypatch.delenv("MCP_SPLUNK_JWT_ALLOW_NO_EXP", raising=False)
    verifier = build_auth(GatewaySettings(**jwt_settings()))
    assert isinstance(verifier, TimeCheckedJWTVerifier)
    assert (verifier.leeway_seconds, verifier.require_exp) == (30, True)


async def test_a_refused_jwt_is_logged_by_claim_name_only(caplog: pytest.LogCaptureFixture) -> None:
    future = int(time.time()) + 3600
    token = sign({"nbf": future})
    verifier = build_auth(GatewaySettings(**jwt_settings()))
    assert isinstance(verifier, TimeCheckedJWTVerifier)
    with caplog.at_level(logging.INFO, logger="mcp_splunk.auth"):
        assert await verifier.verify_token(token) is None
    [record] = [r for r in caplog.records if r.name == "mcp_splunk.auth"]
    message = record.getMessage()
    assert "nbf" in message
    assert token not in message
    assert SUBJECT not in message
    assert str(future) not in message
