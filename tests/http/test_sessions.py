"""Streamable HTTP session rules for the three client styles, over raw HTTP.

Handshake-era clients against a stateful server get MCP sessions (400 without an id, 404 for an unknown or
ended one, DELETE ends it); against --stateless every request stands alone (and initialize still returns an
opaque id for clients that insist on one); 2026-07-28 clients never have sessions.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ACCEPT, ANALYST, RawSession, RunningGateway, running_gateway, sandbox_defaults, structured


@pytest.fixture(scope="module")
def stateful(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def stateless(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), stateless=True) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def test_initialize_on_a_stateful_server_issues_a_session_id(stateful: RunningGateway, http: httpx.Client) -> None:
    response = RawSession(http, stateful.url).initialize()
    assert response.status_code == 200
    assert len(response.headers["mcp-session-id"]) == 32


def test_a_request_without_a_session_id_gets_400_saying_what_to_do(
    stateful: RunningGateway, http: httpx.Client
) -> None:
    response = http.post(
        stateful.url, headers={"Accept": ACCEPT}, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "Missing session ID" in message
    assert "initialize" in message
    assert "--stateless" in message
    assert "mcp-session-id" not in response.headers  # no ghost id that would only lead to a 404


def test_an_unknown_session_id_gets_404(stateful: RunningGateway, http: httpx.Client) -> None:
    session = RawSession(http, stateful.url)
    session.session_id = "0" * 32
    response, _ = session.call("user_agent_info")
    assert response.status_code == 404


def test_delete_ends_the_session_and_later_requests_get_404(stateful: RunningGateway, http: httpx.Client) -> None:
    session = RawSession(http, stateful.url)
    session.initialize()
    assert session.delete().status_code == 200
    response, _ = session.call("user_agent_info")
    assert response.status_code == 404


def test_a_stateful_session_keeps_its_config_for_header_less_requests(
    stateful: RunningGateway, http: httpx.Client
) -> None:
    session = RawSession(http, stateful.url)
    session.initialize(ANALYST)
    _, reply = session.call("whoami")  # no X-Splunk-* headers on this request
    assert structured(reply)["username"] == "analyst"
    _, info = session.call("user_agent_info")
    assert structured(info)["config_source"] == "session"
    assert structured(info)["stateful_session"] is True


def test_delete_frees_the_sessions_bound_config(stateful: RunningGateway, http: httpx.Client) -> None:
    sessions = stateful.gateway.sessions
    session = RawSession(http, stateful.url)
    session.initialize(ANALYST)
    assert session.session_id is not None
    assert sessions.get(session.session_id) is not None
    session.delete()
    assert sessions.get(session.session_id) is None


def test_a_new_session_does_not_inherit_another_sessions_config(stateful: RunningGateway, http: httpx.Client) -> None:
    first = RawSession(http, stateful.url)
    first.initialize(ANALYST)
    second = RawSession(http, stateful.url)
    second.initialize()
    _, reply = second.call("whoami")
    assert structured(reply)["username"] == "admin"  # the server default, not the analyst


def test_a_stateless_server_answers_without_any_session(stateless: RunningGateway, http: httpx.Client) -> None:
    session = RawSession(http, stateless.url)
    response, reply = session.call("whoami", session=False)
    assert response.status_code == 200
    assert structured(reply)["username"] == "admin"


def test_a_stateless_server_returns_an_opaque_session_id_on_initialize(
    stateless: RunningGateway, http: httpx.Client
) -> None:
    session = RawSession(http, stateless.url)
    response = session.initialize()
    assert response.status_code == 200
    assert session.session_id  # for clients that fail without one (e.g. Codex)
    other, reply = session.call("user_agent_info")  # any id is accepted afterwards
    assert other.status_code == 200
    assert structured(reply)["stateful_session"] is False


def test_a_stateless_server_keeps_no_config_between_requests(stateless: RunningGateway, http: httpx.Client) -> None:
    session = RawSession(http, stateless.url)
    session.initialize(ANALYST)
    _, reply = session.call("whoami")  # header-less: nothing was kept from initialize
    assert structured(reply)["username"] == "admin"


def test_delete_on_a_stateless_server_is_405(stateless: RunningGateway, http: httpx.Client) -> None:
    session = RawSession(http, stateless.url)
    session.initialize()
    assert session.delete().status_code == 405


@pytest.mark.parametrize("server", ["stateful", "stateless"])
async def test_2026_clients_are_sessionless_on_either_server(server: str, request: pytest.FixtureRequest) -> None:
    gateway: RunningGateway = request.getfixturevalue(server)
    async with gateway.client(ANALYST) as client:
        info = (await client.call_tool("user_agent_info", {})).structured_content
        assert info["protocol_version"] == "2026-07-28"
        assert info["stateful_session"] is False
        assert info["config_source"] == "headers"
    async with gateway.client() as client:  # a later client without headers gets the defaults
        me = (await client.call_tool("whoami", {})).structured_content
        assert me["username"] == "admin"


@pytest.mark.parametrize("server", ["stateful", "stateless"])
async def test_legacy_fastmcp_clients_work_on_either_server(server: str, request: pytest.FixtureRequest) -> None:
    gateway: RunningGateway = request.getfixturevalue(server)
    async with gateway.client(ANALYST, mode="legacy") as client:
        info = (await client.call_tool("user_agent_info", {})).structured_content
        assert info["protocol_version"] < "2026-07-28"
        assert info["stateful_session"] is (server == "stateful")
        assert (await client.call_tool("whoami", {})).structured_content["username"] == "analyst"
