"""Platform tools over MCP against the sandbox: users, roles, health and .conf files with secrets masked.

Expected users and roles come from the sandbox's accounts, conf stanzas from the sandbox's own conf data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.rest.endpoints import confs as sandbox_confs
from mcp_splunk.sandbox.state import HEALTH_FEATURES
from tests.support import ADMIN, ANALYST, RunningGateway, error, ok, running_gateway, sandbox_defaults

CONF_DATA: dict[str, dict[str, dict[str, Any]]] = sandbox_confs.STATIC_CONFS
ENCRYPTED_PREFIX = "$7$"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


async def call(gateway: RunningGateway, tool: str, args: dict[str, Any], headers: dict[str, str] = ADMIN) -> Any:
    async with gateway.client(headers) as client:
        return await client.call_tool(tool, args, raise_on_error=False)


async def every_page(gateway: RunningGateway, tool: str, key: str, headers: dict[str, str], **args: Any) -> list[Any]:
    """All items of a listing, fetched ``count`` at a time by following ``next_offset``."""
    items: list[Any] = []
    offset: int | None = 0
    while offset is not None:
        data = ok(await call(gateway, tool, {**args, "offset": offset}, headers))
        assert data["paging"]["offset"] == offset
        items.extend(data[key])
        offset = data["paging"]["next_offset"]
    assert data["paging"]["total"] == len(items)
    return items


def roles_held(sandbox: Sandbox, username: str) -> set[str]:
    """The user's roles and every role they import, transitively."""
    accounts = sandbox.state.accounts
    user = accounts.user(username)
    assert user is not None
    pending, held = list(user.roles), set()
    while pending:
        name = pending.pop()
        role = accounts.role(name)
        if role is not None and name not in held:
            held.add(name)
            pending.extend(role.imported_roles)
    return held


# -- users and roles ---------------------------------------------------------------------------------------
async def test_the_admin_lists_every_user_with_their_roles_and_details(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    users = await every_page(gateway, "list_users", "users", ADMIN, count=1000)
    expected = {u.name: u for u in sandbox.state.accounts.users()}
    assert sorted(u["name"] for u in users) == sorted(expected)
    for user in users:
        known = expected[user["name"]]
        assert (user["roles"], user["realname"], user["email"]) == (list(known.roles), known.realname, known.email)


async def test_the_analyst_sees_only_their_own_account(gateway: RunningGateway) -> None:
    data = ok(await call(gateway, "list_users", {}, ANALYST))
    assert [u["name"] for u in data["users"]] == ["analyst"]
    assert data["paging"]["total"] == 1


async def test_paging_through_users_two_at_a_time_reassembles_the_full_list(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    users = await every_page(gateway, "list_users", "users", ADMIN, count=2)
    names = [u["name"] for u in users]
    assert len(names) == len(set(names))
    assert set(names) == {u.name for u in sandbox.state.accounts.users()}


async def test_the_admin_lists_every_role_with_capabilities_imports_and_indexes(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    roles = await every_page(gateway, "list_roles", "roles", ADMIN, count=1000)
    expected = {r.name: r for r in sandbox.state.accounts.roles()}
    assert sorted(r["name"] for r in roles) == sorted(expected)
    for role in roles:
        known = expected[role["name"]]
        assert role["capabilities"] == sorted(known.capabilities)
        assert role["capabilities_count"] == len(known.capabilities)
        assert role["imported_roles"] == list(known.imported_roles)
        assert role["srchIndexesAllowed"] == list(known.indexes_allowed)
        assert role["srchIndexesDefault"] == list(known.indexes_default)


async def test_the_analyst_sees_only_the_roles_they_hold(gateway: RunningGateway, sandbox: Sandbox) -> None:
    data = ok(await call(gateway, "list_roles", {}, ANALYST))
    assert {r["name"] for r in data["roles"]} == roles_held(sandbox, "analyst")


async def test_paging_through_roles_one_at_a_time_reassembles_the_full_list(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    roles = await every_page(gateway, "list_roles", "roles", ADMIN, count=1)
    names = [r["name"] for r in roles]
    assert len(names) == len(set(names))
    assert set(names) == {r.name for r in sandbox.state.accounts.roles()}


# -- health ----------------------------------------------------------------------------------------------
async def test_health_reports_the_overall_colour_and_every_feature(gateway: RunningGateway) -> None:
    data = ok(await call(gateway, "get_splunk_health", {}))
    assert data["overall"] == "green"
    assert data["detailed"] is True
    assert {f["feature"] for f in data["features"]} == set(HEALTH_FEATURES)
    assert {f["health"] for f in data["features"]} == {"green"}
    assert data["feature_counts"] == {"green": len(HEALTH_FEATURES)}


async def test_health_puts_problems_first_with_their_reasons(gateway: RunningGateway, sandbox: Sandbox) -> None:
    sandbox.set_health("KV Store", "red", "KV Store process terminated")
    sandbox.set_health("Search Scheduler", "yellow", "Searches skipped")
    try:
        data = ok(await call(gateway, "get_splunk_health", {}))
    finally:
        sandbox.set_health("KV Store", "green")
        sandbox.set_health("Search Scheduler", "green")
    assert data["overall"] == "red"
    assert [f["feature"] for f in data["features"][:2]] == ["KV Store", "Search Scheduler"]
    assert data["feature_counts"] == {"green": len(HEALTH_FEATURES) - 2, "yellow": 1, "red": 1}
    assert "KV Store process terminated" in json.dumps(data)


# -- configuration -----------------------------------------------------------------------------------------
def secrets_of(conf_file: str) -> list[str]:
    return [v for stanza in CONF_DATA[conf_file].values() for v in stanza.values() if v.startswith(ENCRYPTED_PREFIX)]


async def test_server_conf_masks_pass4symmkey_and_sslpassword_and_leaks_neither(gateway: RunningGateway) -> None:
    result = await call(gateway, "get_configuration", {"conf_file": "server"})
    data = ok(result)
    secrets = secrets_of("server")
    assert len(secrets) == 2
    everything = result.content[0].text + json.dumps(data)
    for secret in secrets:
        assert secret not in everything
        assert secret.removeprefix(ENCRYPTED_PREFIX) not in everything
    stanzas = {s["stanza"]: s["settings"] for s in data["stanzas"]}
    assert stanzas["general"]["pass4SymmKey"] == "********"
    assert stanzas["sslConfig"]["sslPassword"] == "********"
    assert stanzas["general"]["serverName"] == CONF_DATA["server"]["general"]["serverName"]
    assert sorted((m["stanza"], m["key"]) for m in data["masked_keys"]) == [
        ("general", "pass4SymmKey"),
        ("sslConfig", "sslPassword"),
    ]


@pytest.mark.parametrize("conf_file", sorted(f for f in CONF_DATA if secrets_of(f)))
async def test_no_encrypted_value_of_any_conf_file_reaches_the_client(gateway: RunningGateway, conf_file: str) -> None:
    result = await call(gateway, "get_configuration", {"conf_file": conf_file})
    everything = result.content[0].text + json.dumps(ok(result))
    assert not [s for s in secrets_of(conf_file) if s in everything or s.removeprefix(ENCRYPTED_PREFIX) in everything]
    assert len(ok(result)["masked_keys"]) >= len(secrets_of(conf_file))


async def test_a_stanza_is_returned_with_exactly_the_values_the_sandbox_defines(gateway: RunningGateway) -> None:
    data = ok(await call(gateway, "get_configuration", {"conf_file": "props", "stanza": "access_combined"}))
    (stanza,) = data["stanzas"]
    settings = {k: v for k, v in stanza["settings"].items() if k != "disabled"}
    assert settings == CONF_DATA["props"]["access_combined"]
    assert data["masked_keys"] == []


async def test_a_stanza_whose_name_holds_slashes_is_found(gateway: RunningGateway) -> None:
    name = "monitor:///var/log/secure"
    data = ok(await call(gateway, "get_configuration", {"conf_file": "inputs", "stanza": name}))
    (stanza,) = data["stanzas"]
    assert stanza["stanza"] == name
    assert {k: v for k, v in stanza["settings"].items() if k != "disabled"} == CONF_DATA["inputs"][name]


async def test_paging_through_a_conf_files_stanzas_reassembles_them(gateway: RunningGateway) -> None:
    stanzas = await every_page(gateway, "get_configuration", "stanzas", ADMIN, conf_file="props", count=1)
    names = [s["stanza"] for s in stanzas]
    assert len(names) == len(set(names))
    assert set(names) == set(CONF_DATA["props"])


async def test_the_analyst_cannot_read_server_conf(gateway: RunningGateway) -> None:
    failure = error(await call(gateway, "get_configuration", {"conf_file": "server"}, ANALYST))
    assert failure["code"] == "permission_denied"
    assert "conf-server" in failure["message"]
    assert "$7$" not in failure["message"]


async def test_an_unknown_conf_file_or_stanza_is_not_found(gateway: RunningGateway) -> None:
    missing_file = error(await call(gateway, "get_configuration", {"conf_file": "no_such_conf"}))
    missing_stanza = error(await call(gateway, "get_configuration", {"conf_file": "props", "stanza": "no_such"}))
    assert (missing_file["code"], missing_stanza["code"]) == ("not_found", "not_found")
    assert "conf-no_such_conf" in missing_file["message"]
    assert "[no_such]" in missing_stanza["message"]


@pytest.mark.parametrize("conf_file", ["../../etc/passwd", "server/sslConfig", "a b", ""])
async def test_a_conf_file_name_that_is_not_a_name_is_refused_before_splunk(
    gateway: RunningGateway, conf_file: str
) -> None:
    failure = error(await call(gateway, "get_configuration", {"conf_file": conf_file}))
    assert failure["code"] == "invalid_argument"
    assert "conf_file" in failure["message"]
