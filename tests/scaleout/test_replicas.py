"""Three replicas behind haproxy round robin: every call answered as its own caller, spread over all replicas,
and a search job started through one replica used through the others."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk.sandbox import Sandbox
from tests.engines import RedisServer, nginx
from tests.scaleout.conftest import Replicas, replicas
from tests.support import ADMIN

USERS = [f"scale{i:02d}" for i in range(20)]


def as_user(name: str) -> dict[str, str]:
    return {"X-Splunk-Username": name, "X-Splunk-Password": f"pw-{name}"}


def client(url: str, headers: dict[str, str]) -> Client[Any]:
    return Client(StreamableHttpTransport(url, headers=headers))


@pytest.fixture(scope="module")
def trio(sandbox: Sandbox, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    for name in USERS:
        if sandbox.state.accounts.user(name) is None:
            sandbox.add_user(name, f"pw-{name}", ("user",))
    directory: Path = tmp_path_factory.mktemp("trio")
    with replicas(
        sandbox, directory, state_url=redis.url, state_key_prefix="trio", trusted_proxies="127.0.0.1"
    ) as running:
        yield running


async def test_twenty_identities_are_each_answered_as_themselves_and_spread_over_every_replica(trio: Replicas) -> None:
    before = sum(len(lines) for lines in trio.audit().values())
    answers: dict[str, list[str]] = {name: [] for name in USERS}

    async def caller(name: str) -> None:
        async with client(trio.url, as_user(name)) as session:
            for _ in range(10):
                result = await session.call_tool("whoami", {})
                answers[name].append(result.structured_content["username"])

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for name in USERS:
                group.start_soon(caller, name)
    assert answers == {name: [name] * 10 for name in USERS}

    audit = await trio.audit_when(lambda found: sum(len(lines) for lines in found.values()) >= before + 200)
    calls = [line for lines in audit.values() for line in lines[-200:] if line.get("tool") == "whoami"]
    per_user = Counter(line["splunk_user"] for line in calls if line["splunk_user"] in answers)
    assert per_user == dict.fromkeys(USERS, 10)
    assert all(sum(1 for line in lines if line.get("tool") == "whoami") > 0 for lines in audit.values()), audit.keys()


async def test_a_search_started_through_one_replica_is_paged_and_cancelled_through_the_others(trio: Replicas) -> None:
    query = "index=web | head 50 | table _time, host, status, uri"
    async with client(trio.url, ADMIN) as session:
        first = (await session.call_tool("run_search", {"query": query, "row_limit": 5})).structured_content
        sid = first["sid"]
        pages = [first]
        for offset in (5, 10, 15):
            page = await session.call_tool("get_search_results", {"sid": sid, "offset": offset, "count": 5})
            pages.append(page.structured_content)
        whole = await session.call_tool("get_search_results", {"sid": sid, "offset": 0, "count": 20})
        cancel = await session.call_tool("cancel_search_job", {"sid": sid}, raise_on_error=False)
    assert [row for page in pages for row in page["results"]] == whole.structured_content["results"]
    assert len(whole.structured_content["results"]) == 20
    assert all(page["paging"]["total"] == 50 for page in pages)
    cancelled = cancel.structured_content
    # Writes are off, and the admin cancels the job admin started: allowed, wherever the call lands.
    assert cancelled == {"sid": sid, "cancelled": True}
    job_tools = ("run_search", "get_search_results", "cancel_search_job")  # only this test calls them here

    def job_calls(found: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
        return {name: sum(line.get("tool") in job_tools for line in lines) for name, lines in found.items()}

    calls = job_calls(await trio.audit_when(lambda found: sum(job_calls(found).values()) >= 6))
    assert sum(calls.values()) == 6  # run_search, four get_search_results, cancel_search_job
    assert sum(1 for count in calls.values() if count) >= 2, calls  # round robin spread the job's calls


async def test_the_shipped_nginx_configuration_spreads_sessionless_calls_over_the_replicas(
    trio: Replicas, tmp_path: Path
) -> None:
    before = {name: len(lines) for name, lines in trio.audit().items()}
    with nginx(trio.ports, tmp_path) as url:
        answers = []
        for name in USERS[:3]:
            async with client(url, as_user(name)) as session:
                answers += [(await session.call_tool("whoami", {})).structured_content["username"] for _ in range(3)]
    assert answers == [name for name in USERS[:3] for _ in range(3)]
    audit = await trio.audit_when(lambda found: sum(len(v) for v in found.values()) >= sum(before.values()) + 9)
    assert all(len(lines) > before[name] for name, lines in audit.items()), "nginx sent calls to every replica"
