"""Tasks kept in the shared Redis (MCP_SPLUNK_STATE_URL): they work there, and the caller's X-Splunk-* credentials
never sit in Redis in the clear; without an encryption key the gateway refuses to start, naming the setting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import anyio
import pytest
import redis
from cryptography.fernet import Fernet
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp_tasks import call_tool_task
from fastmcp_tasks.client import _send_get
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.settings import GatewaySettings
from tests.engines import RedisServer, redis_server, replica
from tests.support import ADMIN, ANALYST, RunningGateway, running_gateway, sandbox_defaults

SECRET = ANALYST["X-Splunk-Password"].encode()


@dataclass
class Shared:
    redis: RedisServer
    here: RunningGateway  # a replica in this process
    there: str  # the MCP URL of another, in a process of its own (as replicas run)


@pytest.fixture(scope="module")
def shared(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """Two replicas sharing one Redis and one encryption key, as docs/SCALING.md deploys them."""
    key = Fernet.generate_key().decode()
    settings = {"tasks": "true", "state_url": "", "state_encryption_key": key}
    with redis_server() as server:
        settings["state_url"] = server.url
        other = replica(sandbox.port, tmp_path_factory.mktemp("tasks"), "gw2", stateless=False, **settings)
        with (
            other.start(timeout=60),
            running_gateway(
                sandbox_defaults(sandbox), tasks=True, state_url=server.url, state_encryption_key=key
            ) as here,
        ):
            yield Shared(server, here, other.url)


def stored_values(url: str) -> list[bytes]:
    """Every value in Redis, whatever the type of its key."""
    db = redis.Redis.from_url(url)
    values: list[bytes] = []
    for key in db.scan_iter():
        kind = db.type(key)
        if kind == b"string":
            values.append(db.get(key) or b"")
        elif kind == b"hash":
            values.extend(db.hgetall(key).values())
        elif kind == b"list":
            values.extend(db.lrange(key, 0, -1))
        elif kind in (b"set", b"zset"):
            values.extend(db.smembers(key) if kind == b"set" else db.zrange(key, 0, -1))
        elif kind == b"stream":
            values.extend(v for _, fields in db.xrange(key) for v in fields.values())
    return values


async def test_a_task_in_redis_runs_and_the_callers_credentials_are_stored_only_encrypted(shared: Shared) -> None:
    async with shared.here.client(ANALYST) as client:
        task = await call_tool_task(client, "run_search", {"query": "| makeresults count=2"})
        with anyio.fail_after(30):
            result = await task.result()
    assert len((result.structured_content or {})["results"]) == 2
    values = stored_values(shared.redis.url)
    assert any(value.startswith(b"gAAAAA") for value in values)  # the task's snapshot, a Fernet token
    assert not [value for value in values if SECRET in value]


async def test_a_task_made_through_one_replica_is_read_through_another_by_its_owner_only(shared: Shared) -> None:
    async with shared.here.client(ANALYST) as client:
        task = await call_tool_task(client, "run_search", {"query": "| makeresults count=4"})
    there = StreamableHttpTransport
    async with (
        Client(there(shared.there, headers=ANALYST)) as owner,
        Client(there(shared.there, headers=ADMIN)) as other,
    ):
        with pytest.raises(MCPError, match="not found"):
            await _send_get(other.session, task.task_id)
        with anyio.fail_after(30):  # bounded: polled as the task asks (pollInterval)
            while (state := await _send_get(owner.session, task.task_id)).status == "working":
                await anyio.sleep((state.poll_interval_ms or 1000) / 1000)
    assert state.status == "completed"
    assert state.result is not None
    assert len(state.result["structuredContent"]["results"]) == 4


def test_tasks_in_redis_without_an_encryption_key_are_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="MCP_SPLUNK_STATE_ENCRYPTION_KEY"):
        GatewaySettings(tasks=True, state_url="redis://127.0.0.1:6379/0")
