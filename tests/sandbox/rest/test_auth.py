"""auth/login, the four ways to authenticate, wrong credentials, expired sessions and current-context."""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import (
    ADMIN,
    ANALYST,
    connect,
    json_messages,
    oneshot,
    session_key,
    xml_messages,
)


def _fresh_user(sandbox: Sandbox, roles: tuple[str, ...] = ("user",)) -> tuple[str, str]:
    name = f"user-{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    sandbox.add_user(name, password, roles)
    return name, password


def test_password_login_answers_a_plain_xml_session_key(sandbox: Sandbox) -> None:
    response = httpx.post(f"{sandbox.url}/services/auth/login", content="username=admin&password=changeme&cookie=1")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "response"
    assert len(root.findtext("sessionKey") or "") >= 16
    # cookie=1 asks for splunkd's session cookie, named after the management port and holding the same key.
    assert response.headers["set-cookie"].startswith(f"splunkd_{sandbox.port}={root.findtext('sessionKey')};")


def test_splunklib_logs_in_with_a_password_and_reads_server_info(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    assert service.token.startswith("Splunk ")
    assert service.info["serverName"] == "sandbox"


@pytest.mark.parametrize(
    "credentials", [("admin", "wrong"), ("nobody-here", "changeme"), ("admin", "")], ids=["password", "user", "empty"]
)
def test_wrong_credentials_raise_authentication_error(sandbox: Sandbox, credentials: tuple[str, str]) -> None:
    with pytest.raises(binding.AuthenticationError) as caught:
        connect(sandbox, credentials)
    assert caught.value.status == 401


def test_a_failed_login_answers_splunkds_401_envelope_in_xml_and_json(sandbox: Sandbox) -> None:
    xml = httpx.post(f"{sandbox.url}/services/auth/login", data={"username": "admin", "password": "nope"})
    assert xml.status_code == 401
    assert xml_messages(xml.content) == [("WARN", "Login failed")]
    as_json = httpx.post(
        f"{sandbox.url}/services/auth/login",
        data={"username": "admin", "password": "nope", "output_mode": "json"},
    )
    assert as_json.status_code == 401
    assert json_messages(as_json.content) == [("WARN", "Login failed")]


def test_requests_without_credentials_get_401_call_not_properly_authenticated(sandbox: Sandbox) -> None:
    xml = httpx.get(f"{sandbox.url}/services/data/indexes")
    assert xml.status_code == 401
    assert xml_messages(xml.content) == [("WARN", "call not properly authenticated")]
    as_json = httpx.get(f"{sandbox.url}/services/data/indexes", params={"output_mode": "json"})
    assert as_json.status_code == 401
    assert json_messages(as_json.content) == [("WARN", "call not properly authenticated")]


def test_splunklib_without_any_credentials_is_refused(sandbox: Sandbox) -> None:
    service = client.Service(host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme)
    with pytest.raises(binding.AuthenticationError):
        service.indexes.list()


def test_a_session_key_works_as_splunk_authorization_header(sandbox: Sandbox) -> None:
    key = session_key(sandbox, ANALYST)
    response = httpx.get(
        f"{sandbox.url}/services/authentication/current-context",
        headers={"Authorization": f"Splunk {key}"},
        params={"output_mode": "json"},
    )
    assert response.status_code == 200
    assert response.json()["entry"][0]["content"]["username"] == "analyst"
    service = client.connect(host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme, token=key)
    assert [e.name for e in service.indexes] == ["main", "web"]


def test_a_made_up_session_key_is_refused(sandbox: Sandbox) -> None:
    service = client.connect(
        host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme, token="Splunk 0123456789abcdef0123456789abcdef"
    )
    with pytest.raises(binding.AuthenticationError):
        service.indexes.list()


def test_a_bearer_token_authenticates_as_its_user(sandbox: Sandbox) -> None:
    token = f"tok-{uuid.uuid4().hex}"
    sandbox.add_token(token, "analyst")
    service = client.connect(host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme, splunkToken=token)
    context = service.get("authentication/current-context", output_mode="json").body.read()
    assert b'"username":"analyst"' in context
    assert [e.name for e in service.indexes] == ["main", "web"]


def test_an_unknown_bearer_token_is_refused(sandbox: Sandbox) -> None:
    service = client.connect(
        host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme, splunkToken="not-a-registered-token"
    )
    with pytest.raises(binding.AuthenticationError):
        service.indexes.list()


def test_a_bearer_token_for_an_unknown_user_cannot_be_added(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown user"):
        sandbox.add_token("orphan-token", "ghost")


def test_basic_authentication_checks_the_password(sandbox: Sandbox) -> None:
    service = client.connect(
        host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme, username="admin", password="changeme", basic=True
    )
    assert "admin" in [u.name for u in service.users]
    bad = base64.b64encode(b"admin:wrong").decode()
    response = httpx.get(f"{sandbox.url}/services/data/indexes", headers={"Authorization": f"Basic {bad}"})
    assert response.status_code == 401


def test_a_splunkd_cookie_carries_the_session(sandbox: Sandbox) -> None:
    key = session_key(sandbox)
    response = httpx.get(
        f"{sandbox.url}/services/authentication/current-context",
        headers={"Cookie": f"splunkd_{sandbox.port}={key}"},
        params={"output_mode": "json"},
    )
    assert response.status_code == 200
    assert response.json()["entry"][0]["content"]["username"] == "admin"


def test_expired_sessions_answer_401_to_a_service_without_autologin(sandbox: Sandbox) -> None:
    user = _fresh_user(sandbox)
    service = connect(sandbox, user)
    assert [e.name for e in service.indexes] == ["main", "web"]
    assert sandbox.expire_sessions(user[0]) == 1
    with pytest.raises(binding.AuthenticationError):
        service.indexes.list()


def test_autologin_recovers_from_expired_sessions(sandbox: Sandbox) -> None:
    user = _fresh_user(sandbox)
    service = connect(sandbox, user, autologin=True)
    before = service.token
    assert oneshot(service, "| makeresults count=3 | stats count") == [{"count": "3"}]
    assert sandbox.expire_sessions(user[0]) == 1
    assert oneshot(service, "| makeresults count=4 | stats count") == [{"count": "4"}]
    assert service.token != before


def test_expiring_one_users_sessions_leaves_the_others_logged_in(sandbox: Sandbox) -> None:
    user = _fresh_user(sandbox)
    other = _fresh_user(sandbox)
    mine, theirs = connect(sandbox, user), connect(sandbox, other)
    sandbox.expire_sessions(user[0])
    assert [e.name for e in theirs.indexes] == ["main", "web"]
    with pytest.raises(binding.AuthenticationError):
        mine.indexes.list()


@pytest.mark.parametrize(
    ("credentials", "roles", "allowed"),
    [
        (ADMIN, ["admin"], ["_audit", "_internal", "history", "main", "security", "summary", "web"]),
        (ANALYST, ["user"], ["main", "web"]),
    ],
    ids=["admin", "analyst"],
)
def test_current_context_describes_the_caller(
    sandbox: Sandbox, credentials: tuple[str, str], roles: list[str], allowed: list[str]
) -> None:
    service = connect(sandbox, credentials)
    entry = client.Entity(service, "authentication/current-context/context")
    assert entry["username"] == credentials[0]
    assert entry["roles"] == roles
    assert "search" in entry["capabilities"]
    assert ("admin_all_objects" in entry["capabilities"]) == (credentials == ADMIN)
    assert entry["search_indexes_allowed"] == allowed
