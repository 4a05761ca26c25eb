"""Gateway authentication and Host/Origin protection, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from pydantic import SecretStr

from mcp_splunk._serving import gateway_process
from mcp_splunk.auth import HashedTokenVerifier
from mcp_splunk.sandbox import Sandbox
from tests.support import ACCEPT, RecordingListener, RunningGateway, running_gateway, sandbox_defaults

GATEWAY_TOKEN = "gw-token-alice-7c2f9a0b4d"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))}


@pytest.fixture(scope="module")
def token_gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(
        sandbox_defaults(sandbox),
        auth="token",
        auth_tokens=SecretStr(f"alice:{GATEWAY_TOKEN},bob:gw-token-bob-55aa10cc99"),
    ) as running:
        yield running


def authed(gateway: RunningGateway, token: str | None, headers: dict[str, str] | None = None) -> Client:  # type: ignore[type-arg]
    return Client(StreamableHttpTransport(gateway.url, headers=headers or {}, auth=token))


async def test_a_request_without_the_gateway_token_gets_401(token_gateway: RunningGateway) -> None:
    response = httpx.post(
        token_gateway.url, headers={"Accept": ACCEPT}, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_wrong_gateway_token_gets_401(token_gateway: RunningGateway) -> None:
    response = httpx.post(
        token_gateway.url,
        headers={"Accept": ACCEPT, "Authorization": "Bearer not-a-token"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 401


async def test_a_wrong_gateway_token_is_told_what_to_check_not_to_re_register(token_gateway: RunningGateway) -> None:
    response = httpx.post(
        token_gateway.url,
        headers={"Accept": ACCEPT, "Authorization": "Bearer wrong-token-5e9d1a"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    description = response.json()["error_description"]
    for named in ("wrong or unknown", "MCP_SPLUNK_AUTH_TOKENS", "Authorization: Bearer"):
        assert named in description
        assert named in response.headers["www-authenticate"]
    assert "re-register" not in response.text
    assert "wrong-token-5e9d1a" not in response.text


async def test_a_valid_gateway_token_is_served_and_names_the_principal(token_gateway: RunningGateway) -> None:
    async with authed(token_gateway, GATEWAY_TOKEN) as client:
        me = (await client.call_tool("whoami", {})).structured_content
    assert me["username"] == "admin"  # the Splunk identity is separate from the gateway principal


async def test_the_gateway_token_never_reaches_splunk(token_gateway: RunningGateway) -> None:
    listener = RecordingListener()
    try:
        target = {
            "X-Splunk-Host": "127.0.0.1",
            "X-Splunk-Port": str(listener.port),
            "X-Splunk-Scheme": "http",
            "X-Splunk-Token": "splunk-side-token-123456",
        }
        async with authed(token_gateway, GATEWAY_TOKEN, target) as client:
            await client.call_tool("whoami", {}, raise_on_error=False)
    finally:
        listener.close()
    assert b"splunk-side-token-123456" in listener.received
    assert GATEWAY_TOKEN.encode() not in listener.received


async def test_static_tokens_are_kept_only_as_digests() -> None:
    verifier = HashedTokenVerifier({GATEWAY_TOKEN: "alice"})
    assert GATEWAY_TOKEN not in repr(vars(verifier))
    assert (await verifier.verify_token(GATEWAY_TOKEN)).client_id == "alice"  # type: ignore[union-attr]
    assert await verifier.verify_token(GATEWAY_TOKEN + "x") is None


async def test_jwt_auth_accepts_a_signed_token_with_the_right_audience(sandbox: Sandbox) -> None:
    keys = RSAKeyPair.generate()
    settings = {
        "auth": "jwt",
        "jwt_public_key": keys.public_key,
        "jwt_issuer": "https://idp.example",
        "jwt_audience": "mcp-splunk",
    }
    good = keys.create_token(subject="carol", issuer="https://idp.example", audience="mcp-splunk")
    wrong_audience = keys.create_token(subject="carol", issuer="https://idp.example", audience="other")
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        async with authed(gateway, good) as client:
            assert (await client.call_tool("user_agent_info", {})).structured_content["transport"]
        response = httpx.post(
            gateway.url,
            headers={"Accept": ACCEPT, "Authorization": f"Bearer {wrong_audience}"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    assert response.status_code == 401


def test_health_stays_open_for_load_balancers(token_gateway: RunningGateway) -> None:
    assert httpx.get(f"{token_gateway.base}/health").status_code == 200


def test_a_foreign_host_header_gets_421(token_gateway: RunningGateway) -> None:
    response = httpx.post(
        token_gateway.url,
        headers={"Accept": ACCEPT, "Host": "evil.example", "Authorization": f"Bearer {GATEWAY_TOKEN}"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 421


def test_a_foreign_browser_origin_gets_403(token_gateway: RunningGateway) -> None:
    response = httpx.post(
        token_gateway.url,
        headers={"Accept": ACCEPT, "Origin": "https://evil.example", "Authorization": f"Bearer {GATEWAY_TOKEN}"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 403


def test_allowed_hosts_and_origins_are_configurable(sandbox: Sandbox) -> None:
    with running_gateway(
        sandbox_defaults(sandbox), allowed_hosts="gw.corp.example", allowed_origins="https://app.corp.example"
    ) as gateway:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        }
        named = httpx.post(gateway.url, headers={"Accept": ACCEPT, "Host": "gw.corp.example"}, json=body)
        browser = httpx.post(gateway.url, headers={"Accept": ACCEPT, "Origin": "https://app.corp.example"}, json=body)
    assert named.status_code == 200
    assert browser.status_code == 200


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mcp_splunk", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=CLEAN_ENV,
        check=False,
    )


def test_serving_all_interfaces_without_auth_refuses_to_start_and_says_why() -> None:
    result = serve("--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    assert "without authentication" in result.stderr
    assert "MCP_SPLUNK_AUTH" in result.stderr


def test_serving_all_interfaces_with_a_token_starts_and_demands_it() -> None:
    env = {**CLEAN_ENV, "MCP_SPLUNK_AUTH": "token", "MCP_SPLUNK_AUTH_TOKENS": f"ops:{GATEWAY_TOKEN}"}
    with gateway_process("--host", "0.0.0.0", "--sandbox", env=env) as process:
        url = process.url.replace("0.0.0.0", "127.0.0.1")
        refused = httpx.post(url, headers={"Accept": ACCEPT}, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert refused.status_code == 401
        allowed = httpx.post(
            url,
            headers={"Accept": ACCEPT, "Authorization": f"Bearer {GATEWAY_TOKEN}"},
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"},
                },
            },
        )
        assert allowed.status_code == 200


def test_token_auth_without_tokens_is_a_clear_configuration_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mcp_splunk", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**CLEAN_ENV, "MCP_SPLUNK_AUTH": "token"},
        check=False,
    )
    assert result.returncode == 2
    assert "MCP_SPLUNK_AUTH_TOKENS" in result.stderr
