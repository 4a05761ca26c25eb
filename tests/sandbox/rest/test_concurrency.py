"""Many clients at once against one sandbox: no connection resets, every answer right; keep-alive is honoured."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import (
    ADMIN,
    ANALYST,
    access_fields,
    connect,
    final_rows,
    in_window,
    oneshot,
    time_window,
    wait_done,
)

CLIENTS = 64


class _Body(io.RawIOBase):
    """An already read httpx body as the file-like object splunklib's readers expect."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        return self._buffer.readinto(target)


def httpx_handler(http: httpx.Client) -> Callable[..., dict[str, Any]]:
    """A splunklib handler over a pooled, keep-alive httpx client (splunklib's own opens a connection per call)."""

    def request(url: str, message: dict[str, Any], **_: Any) -> dict[str, Any]:
        response = http.request(
            message.get("method", "GET"),
            str(url),
            headers=message.get("headers", []),
            content=message.get("body") or None,
        )
        return {
            "status": response.status_code,
            "reason": response.reason_phrase,
            "headers": list(response.headers.multi_items()),
            "body": _Body(response.content),
        }

    return request


@pytest.fixture(scope="module")
def expected(sandbox: Sandbox) -> dict[str, Any]:
    # A few hours of web traffic: enough rows to check, cheap enough for 64 clients on two cores.
    earliest, _ = time_window(sandbox, "web")
    latest = earliest + 4 * 3600
    fields = access_fields(in_window(sandbox.events("web"), earliest, latest))
    return {
        "times": {"earliest_time": str(earliest), "latest_time": str(latest)},
        "by_status": dict(Counter(f["status"] for f in fields)),
        "by_host_5xx": dict(Counter(f["host"] for f in fields if int(f["status"]) >= 500)),
        "assets": len(sandbox.state.kv_records("assets")),
    }


def _session(sandbox: Sandbox, number: int) -> tuple[client.Service, httpx.Client | None]:
    credentials = ADMIN if number % 4 else ANALYST
    http = httpx.Client(timeout=60) if number % 2 else None
    extra: dict[str, Any] = {"handler": httpx_handler(http)} if http else {}
    service = client.connect(
        host=sandbox.host,
        port=sandbox.port,
        scheme=sandbox.scheme,
        username=credentials[0],
        password=credentials[1],
        owner="nobody",
        app="search",
        **extra,
    )
    return service, http


def _workload(sandbox: Sandbox, expected: dict[str, Any], number: int) -> int:
    """A mix of the operations gateways perform; returns how many it checked."""
    service, http = _session(sandbox, number)
    times = expected["times"]
    try:
        rows = oneshot(service, "search index=web | stats count by status", **times)
        assert {r["status"]: int(r["count"]) for r in rows} == expected["by_status"]
        names = {i.name for i in service.indexes}
        if number % 4 == 0:
            assert names == {"main", "web"}
        else:
            assert names >= {"main", "web", "security", "_internal"}
        job = wait_done(service.jobs.create("search index=web status>=500 | stats count by host", **times), 60)
        got = final_rows(job.results(output_mode="json", count=0))
        assert {r["host"]: int(r["count"]) for r in got} == expected["by_host_5xx"]
        assert len(service.kvstore["assets"].data.query()) == expected["assets"]
        assert service.saved_searches["Top URIs"]["search"] == "search index=web | top limit=10 uri"
        exported = final_rows(service.jobs.export("| makeresults count=5", output_mode="json"))
        assert len(exported) == 5
        return 6
    finally:
        if http is not None:
            http.close()


def test_64_concurrent_clients_get_every_answer_right_with_no_resets(
    sandbox: Sandbox, expected: dict[str, Any]
) -> None:
    start = threading.Barrier(CLIENTS, timeout=60)

    def run(number: int) -> int:
        start.wait()  # every client starts at once
        return _workload(sandbox, expected, number)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = list(pool.map(run, range(CLIENTS)))
    assert outcomes == [6] * CLIENTS


def _port_recorder(ports: set[int]) -> dict[str, list[Callable[[httpx.Response], None]]]:
    """httpx event hooks noting the local port of the connection each response came over."""

    def remember(response: httpx.Response) -> None:
        ports.add(response.extensions["network_stream"].get_extra_info("client_addr")[1])

    return {"response": [remember]}


def test_many_requests_over_one_client_reuse_one_connection(sandbox: Sandbox) -> None:
    ports: set[int] = set()
    with httpx.Client(base_url=sandbox.url, event_hooks=_port_recorder(ports)) as http:
        login = http.post("/services/auth/login", data={"username": "admin", "password": "changeme"})
        key = login.text.split("<sessionKey>")[1].split("<")[0]
        http.headers["Authorization"] = f"Splunk {key}"
        for _ in range(100):
            response = http.get("/services/data/indexes", params={"output_mode": "json", "count": 0})
            assert response.status_code == 200
            assert response.headers.get("connection", "").lower() != "close"
        answer = http.post(
            "/services/search/v2/jobs",
            data={"search": "| makeresults count=3", "exec_mode": "oneshot", "output_mode": "json"},
        )
        assert len(json.loads(answer.content)["results"]) == 3
    assert len(ports) == 1


def test_a_splunklib_service_on_a_pooled_handler_keeps_one_connection(sandbox: Sandbox) -> None:
    ports: set[int] = set()
    with httpx.Client(timeout=30, event_hooks=_port_recorder(ports)) as http:
        service = client.connect(
            host=sandbox.host,
            port=sandbox.port,
            scheme=sandbox.scheme,
            username="admin",
            password="changeme",
            handler=httpx_handler(http),
        )
        for _ in range(20):
            assert "web" in [i.name for i in service.indexes]
        assert final_rows(service.jobs.export("| makeresults count=2", output_mode="json")) != []
    assert len(ports) == 1


def test_one_service_shared_by_many_threads_answers_each_correctly(sandbox: Sandbox, expected: dict[str, Any]) -> None:
    shared_service = connect(sandbox)

    def count(status: str) -> int:
        rows = oneshot(shared_service, f"search index=web status={status} | stats count", **expected["times"])
        return int(rows[0]["count"])

    statuses = sorted(expected["by_status"]) * 2
    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(pool.map(count, statuses))
    assert counts == [expected["by_status"][s] for s in statuses]
