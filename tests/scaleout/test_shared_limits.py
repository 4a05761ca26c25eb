"""Rate limits shared through Redis: exact across replicas, and an outage handled as the operator chose."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk.sandbox import Sandbox
from tests.engines import RedisServer, redis_server
from tests.scaleout.conftest import Replicas, replicas
from tests.support import RunningGateway, running_gateway, sandbox_defaults

LIMITS = {"rate_limit_per_minute": "3", "rate_limit_burst": "3"}
OUTAGE = "Shared state (MCP_SPLUNK_STATE_URL) is unreachable"


async def outcomes(url: str, calls: int) -> list[str]:
    """The error code of each call, or "ok"."""
    found = []
    async with Client(StreamableHttpTransport(url)) as session:
        for _ in range(calls):
            result = await session.call_tool("user_agent_info", {}, raise_on_error=False)
            found.append(result.structured_content["error"]["code"] if result.is_error else "ok")
    return found


@pytest.fixture(scope="module")
def limited_trio(sandbox: Sandbox, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    directory = tmp_path_factory.mktemp("limited")
    settings = {**LIMITS, "state_url": redis.url, "state_key_prefix": "limited", "trusted_proxies": "127.0.0.1"}
    with replicas(sandbox, directory, **settings) as running:
        yield running


async def test_three_per_minute_across_three_replicas_lets_exactly_three_of_fifteen_calls_through(
    limited_trio: Replicas,
) -> None:
    found = await outcomes(limited_trio.url, 15)
    assert found.count("ok") == 3
    assert found.count("rate_limited") == 12
    audit = await limited_trio.audit_when(lambda found: sum(len(lines) for lines in found.values()) >= 15)
    assert sum(len(lines) for lines in audit.values()) == 15
    assert all(audit.values()), audit  # the calls really were spread: every replica saw some


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def gateway_on(sandbox: Sandbox, own_redis: RedisServer, request: pytest.FixtureRequest) -> Iterator[RunningGateway]:
    settings: dict[str, Any] = {
        "rate_limit_per_minute": 3,
        "rate_limit_burst": 3,
        "state_url": own_redis.url,
        "state_failure": request.param,
    }
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        yield gateway


async def until_served(url: str) -> list[str]:
    """Calls until one is served again after Redis came back (Redis is retried once a second)."""
    with anyio.fail_after(15):
        while True:
            found = await outcomes(url, 1)
            if found != ["state_unavailable"]:
                return found
            await anyio.sleep(0.1)


async def shared_state(gateway: RunningGateway) -> str:
    """What /health says of the shared state; it stays 200 whatever that is (every replica shares the one Redis)."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{gateway.base}/health")
    assert answer.status_code == 200
    return str(answer.json()["shared_state"])


@pytest.mark.parametrize("gateway_on", ["closed"], indirect=True)
async def test_closed_refuses_calls_while_redis_is_down_and_shares_limits_again_once_it_is_back(
    gateway_on: RunningGateway, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    assert await outcomes(gateway_on.url, 1) == ["ok"]
    assert await shared_state(gateway_on) == "ok"
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="mcp_splunk.state"):
        down = await outcomes(gateway_on.url, 4)
    assert down == ["state_unavailable"] * 4
    assert sum(OUTAGE in record.getMessage() for record in caplog.records) == 1  # said once, not per call
    assert await shared_state(gateway_on) == "unreachable (closed: refusing calls that need it)"
    own_redis.start()
    # Redis restarted empty: the limit counts from zero, shared again.
    after = (await until_served(gateway_on.url)) + await outcomes(gateway_on.url, 4)
    assert after == ["ok", "ok", "ok", "rate_limited", "rate_limited"]
    assert await shared_state(gateway_on) == "ok"


@pytest.mark.parametrize("gateway_on", ["open"], indirect=True)
async def test_open_falls_back_to_this_replicas_own_limits_while_redis_is_down(
    gateway_on: RunningGateway, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="mcp_splunk.state"):
        down = await outcomes(gateway_on.url, 5)
    assert down == ["ok", "ok", "ok", "rate_limited", "rate_limited"]  # the local bucket: burst 3
    assert sum(OUTAGE in record.getMessage() for record in caplog.records) == 1
    assert await shared_state(gateway_on) == "unreachable (open: using this replica's own state)"
