"""authentication/users, authorization/roles and authorization/capabilities through splunklib."""

from __future__ import annotations

import uuid

import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, connect, raw_client, xml_messages


@pytest.fixture(scope="module")
def admin(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


@pytest.fixture(scope="module")
def analyst(sandbox: Sandbox) -> client.Service:
    return connect(sandbox, ANALYST)


def test_admin_lists_every_user_with_roles_and_details(admin: client.Service) -> None:
    users = {u.name: u for u in admin.users}
    assert {"admin", "analyst"} <= set(users)
    assert users["analyst"].roles == ["user"]
    assert users["analyst"]["realname"] == "Ana Lyst"
    assert users["analyst"]["email"] == "analyst@sandbox.example"
    assert users["admin"].roles == ["admin"]


def test_a_user_is_found_case_insensitively(admin: client.Service) -> None:
    assert admin.users["ANALYST"].name == "analyst"


def test_a_seeded_user_appears_with_its_roles(sandbox: Sandbox, admin: client.Service) -> None:
    name = f"seeded-{uuid.uuid4().hex[:6]}"
    sandbox.add_user(name, "pw", ("user", "power"), realname="Seeded Person")
    user = admin.users[name]
    assert user.roles == ["user", "power"]
    assert user["realname"] == "Seeded Person"
    assert sorted(r.name for r in user.role_entities) == ["power", "user"]


def test_seeding_a_user_with_an_unknown_role_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown roles: ghost"):
        sandbox.add_user("nobody-really", "pw", ("ghost",))


def test_an_unknown_user_is_a_key_error(admin: client.Service) -> None:
    with pytest.raises(KeyError):
        admin.users["ghost"]


def test_the_analyst_sees_only_itself_among_users(analyst: client.Service) -> None:
    assert [u.name for u in analyst.users] == ["analyst"]
    with pytest.raises(KeyError):
        analyst.users["admin"]


def test_roles_carry_capabilities_inheritance_and_index_rights(admin: client.Service) -> None:
    roles = {r.name: r for r in admin.roles}
    assert {"admin", "power", "user"} <= set(roles)
    assert roles["user"]["srchIndexesAllowed"] == ["main", "web"]
    assert roles["power"]["imported_roles"] == ["user"]
    assert "admin_all_objects" in roles["admin"].capabilities
    assert "admin_all_objects" not in roles["user"].capabilities
    assert "search" in roles["user"].capabilities


def test_a_seeded_role_is_listed_with_its_settings(sandbox: Sandbox, admin: client.Service) -> None:
    name = f"role_{uuid.uuid4().hex[:6]}"
    sandbox.add_role(name, capabilities=("search",), imported_roles=("user",), indexes_allowed=("security",))
    role = admin.roles[name]
    assert role.capabilities == ["search"]
    assert role["imported_roles"] == ["user"]
    assert role["srchIndexesAllowed"] == ["security"]


def test_the_analyst_sees_only_its_own_role(analyst: client.Service) -> None:
    assert [r.name for r in analyst.roles] == ["user"]
    with pytest.raises(KeyError):
        analyst.roles["admin"]


def test_capabilities_list_every_capability_any_role_grants(admin: client.Service) -> None:
    every = set(admin.capabilities)
    for role in admin.roles:
        assert set(role.capabilities) <= every
    assert {"search", "admin_all_objects", "edit_user"} <= every


def test_an_unknown_role_answers_404_in_splunkd_wording(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.get("/services/authorization/roles/ghost")
    assert response.status_code == 404
    assert xml_messages(response.content) == [("ERROR", "In handler 'roles': Could not find object id=ghost")]
