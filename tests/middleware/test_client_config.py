"""Each request gets exactly its own Splunk identity: per-request headers, per-session binding for stateful
clients, never a client-chosen id, and never the server's credentials at a host the client names."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.settings import SplunkDefaults
from tests.support import ANALYST, RawSession, RecordingListener, RunningGateway, running_gateway, structured

ENV_PASSWORD = "env-only-secret-Qx71"
CLIENTS = 20
CALLS_PER_CLIENT = 3


@pytest.fixture(scope="module")
def service_account(sandbox: Sandbox) -> SplunkDefaults:
    """Server defaults with a distinctive password, so any leak of it is recognisable."""
    sandbox.add_user("svc-gateway", ENV_PASSWORD, roles=("admin",))
    return SplunkDefaults(
        host="127.0.0.1",
        port=sandbox.port,
        scheme="http",
        username="svc-gateway",
        password=SecretStr(ENV_PASSWORD),
        token=None,
        session_key=None,
    )


@pytest.fixture(scope="module")
def users(sandbox: Sandbox) -> list[tuple[str, str]]:
    created = [(f"client{i:02d}", f"pw-client-{i:02d}-z") for i in range(CLIENTS)]
    for name, password in created:
        sandbox.add_user(name, password, roles=("user",))
    return created


@pytest.fixture(scope="module", params=[False, True], ids=["stateful", "stateless"])
def gateway(request: pytest.FixtureRequest, service_account: SplunkDefaults) -> Iterator[RunningGateway]:
    with running_gateway(service_account, stateless=request.param) as running:
        yield running


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_concurrent_clients_each_see_only_their_own_identity(
    gateway: RunningGateway, users: list[tuple[str, str]], mode: str
) -> None:
    async def one_client(name: str, password: str) -> list[str]:
        headers = {"X-Splunk-Username": name, "X-Splunk-Password": password}
        async with gateway.client(headers, mode=mode) as client:
            calls = [client.call_tool("whoami", {}) for _ in range(CALLS_PER_CLIENT)]
            return [r.structured_content["username"] for r in await asyncio.gather(*calls)]

    seen = await asyncio.gather(*(one_client(name, password) for name, password in users))
    for (name, _), usernames in zip(users, seen, strict=True):
        assert usernames == [name] * CALLS_PER_CLIENT


async def test_one_login_per_identity_is_reused_across_calls(gateway: RunningGateway) -> None:
    headers = {"X-Splunk-Username": "analyst", "X-Splunk-Password": "analyst-pass"}
    async with gateway.client(headers) as client:
        await client.call_tool("whoami", {})
        logins = gateway.gateway.pool.logins
        for _ in range(5):
            await client.call_tool("whoami", {})
    assert gateway.gateway.pool.logins == logins


def test_a_copied_x_session_id_yields_nothing_of_the_other_client(gateway: RunningGateway) -> None:
    with httpx.Client(timeout=30) as http:
        owner = RawSession(http, gateway.url)
        owner.initialize({**ANALYST, "X-Session-ID": "shared-correlation-id"})
        _, mine = owner.call("whoami", extra={**ANALYST, "X-Session-ID": "shared-correlation-id"})
        assert structured(mine)["username"] == "analyst"
        intruder = RawSession(http, gateway.url)
        intruder.initialize({"X-Session-ID": "shared-correlation-id"})
        _, theirs = intruder.call("whoami", extra={"X-Session-ID": "shared-correlation-id"})
    assert structured(theirs)["username"] == "svc-gateway"  # the server default, never the analyst


async def test_the_server_credentials_never_reach_a_host_the_client_names(gateway: RunningGateway) -> None:
    listener = RecordingListener()
    try:
        target = {"X-Splunk-Host": "127.0.0.1", "X-Splunk-Port": str(listener.port), "X-Splunk-Scheme": "http"}
        async with gateway.client(target) as client:
            refused = await client.call_tool("whoami", {}, raise_on_error=False)
        assert refused.is_error
        assert refused.structured_content["error"]["code"] == "splunk_not_configured"
        assert listener.connections == 0
        own = {**target, "X-Splunk-Username": "visitor", "X-Splunk-Password": "visitor-pw"}
        async with gateway.client(own) as client:
            rejected = await client.call_tool("whoami", {}, raise_on_error=False)
        assert rejected.is_error
        assert listener.connections >= 1
        assert b"visitor" in listener.received
        assert ENV_PASSWORD.encode() not in listener.received
        assert b"svc-gateway" not in listener.received
    finally:
        listener.close()
