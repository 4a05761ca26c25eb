"""The Sandbox Python API: lifecycle, options, and seeding users, roles, tokens and events."""

from __future__ import annotations

import uuid

import httpx
import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Event, Sandbox, SandboxOptions
from tests.sandbox.rest.support import ANALYST, connect, oneshot, wait_done


def test_a_sandbox_serves_while_started_and_stops_serving_after() -> None:
    sandbox = Sandbox(SandboxOptions(sample_data=False))
    with pytest.raises(RuntimeError, match="not started"):
        _ = sandbox.port
    sandbox.start()
    url = sandbox.url
    assert url == f"http://127.0.0.1:{sandbox.port}"
    assert httpx.get(f"{url}/services/server/info").status_code == 401  # up, and asking for credentials
    with pytest.raises(RuntimeError, match="already started"):
        sandbox.start()
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/services/server/info")


def test_the_context_manager_starts_and_stops() -> None:
    with Sandbox(SandboxOptions(sample_data=False)) as sandbox:
        assert connect(sandbox).info["serverName"] == "sandbox"
        url = sandbox.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/services/server/info")


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme"):
        Sandbox(scheme="ftp")


@pytest.mark.parametrize(
    "options",
    [{"version": "9.3.1-beta"}, {"version": ""}, {"job_latency": -1}, {"job_ttl": 0}, {"session_timeout": 0}],
)
def test_invalid_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SandboxOptions(**options)  # type: ignore[arg-type]


def test_the_same_seed_and_now_give_the_same_events() -> None:
    now = 1_795_000_000.0
    first, second = Sandbox(SandboxOptions(seed=7, now=now)), Sandbox(SandboxOptions(seed=7, now=now))
    other = Sandbox(SandboxOptions(seed=8, now=now))
    for index in ("main", "web", "security", "_internal"):
        assert [(e.time, e.raw) for e in first.events(index)] == [(e.time, e.raw) for e in second.events(index)]
    assert [e.raw for e in first.events("web")] != [e.raw for e in other.events("web")]
    assert max(e.time for e in first.events("web")) <= now


def test_without_sample_data_the_indexes_are_empty() -> None:
    sandbox = Sandbox(SandboxOptions(sample_data=False))
    assert all(sandbox.events(name) == [] for name in ("main", "web", "security", "_internal"))
    assert sandbox.state.saved_searches.all() == []


def test_options_reach_the_wire() -> None:
    options = SandboxOptions(sample_data=False, server_name="lab-sh-01", version="8.2.12", job_ttl=77)
    with Sandbox(options) as sandbox:
        service = connect(sandbox)
        assert service.info["serverName"] == "lab-sh-01"
        assert service.splunk_version == (8, 2, 12)
        job = wait_done(service.jobs.create("| makeresults"))
        assert job["ttl"] == "77"


def test_tokens_given_as_options_authenticate() -> None:
    with Sandbox(SandboxOptions(sample_data=False, tokens={"opt-token": "analyst"})) as sandbox:
        service = client.connect(host=sandbox.host, port=sandbox.port, scheme="http", splunkToken="opt-token")
        assert [u.name for u in service.users] == ["analyst"]


def test_a_token_for_an_unknown_user_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="unknown user 'ghost'"):
        Sandbox(SandboxOptions(sample_data=False, tokens={"t": "ghost"}))


def test_added_events_are_indexed_sorted_and_searchable() -> None:
    with Sandbox(SandboxOptions(sample_data=False)) as sandbox:
        added = sandbox.add_events(
            "seeded",
            ["status=ok user=ann", "status=fail user=bob"],
            sourcetype="kv",
            host="h1",
            source="unit",
            time_=1_700_000_100.0,
        )
        added += sandbox.add_events("seeded", [Event(1_700_000_000.0, "status=fail user=cy", "x", "h2", "unit", "kv")])
        assert added == 3
        events = sandbox.events("seeded")
        assert [e.time for e in events] == [1_700_000_000.0, 1_700_000_100.0, 1_700_000_100.0]
        assert {e.index for e in events} == {"seeded"}
        spl = "search index=seeded status=fail | stats count by user, host"
        rows = oneshot(connect(sandbox), spl, earliest_time="0")
    assert rows == [{"user": "bob", "host": "h1", "count": "1"}, {"user": "cy", "host": "h2", "count": "1"}]


def test_events_of_an_unknown_index_are_empty(sandbox: Sandbox) -> None:
    assert sandbox.events("never_created") == []


def test_expire_sessions_counts_what_it_dropped(sandbox: Sandbox) -> None:
    user = f"expiry-{uuid.uuid4().hex[:6]}"
    sandbox.add_user(user, "pw")
    for _ in range(3):
        connect(sandbox, (user, "pw"))
    assert sandbox.expire_sessions(user) == 3
    assert sandbox.expire_sessions(user) == 0


def test_job_cancelled_tells_cancelled_jobs_apart(sandbox: Sandbox) -> None:
    service = connect(sandbox, ANALYST)
    kept = wait_done(service.jobs.create("| makeresults"))
    dropped = wait_done(service.jobs.create("| makeresults"))
    dropped.cancel()
    assert sandbox.job_cancelled(dropped.sid)
    assert not sandbox.job_cancelled(kept.sid)
    assert dropped.sid in sandbox.cancelled_jobs()
