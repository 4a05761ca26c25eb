"""Alert writes over MCP against the sandbox: what is stored reads back through get_saved_search, schedules are
checked with croniter, actions need the operator's second switch, and SPL that writes is refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastmcp import Client

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace
from tests.support import ADMIN, RunningGateway, error, ok, running_gateway, sandbox_defaults


@pytest.fixture(scope="module")
def with_actions(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True, allow_alert_actions=True) as running:
        yield running


@pytest.fixture
async def actions_client(with_actions: RunningGateway) -> AsyncIterator[Client[Any]]:
    async with with_actions.client(ADMIN) as opened:
        yield opened


@pytest.fixture
def fresh_name(sandbox: Sandbox) -> Iterator[Callable[[], str]]:
    made: list[str] = []

    def make() -> str:
        made.append(f"mcp-alert {uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    for name in made:
        if stored(sandbox, name) is not None:
            sandbox.state.saved_searches.delete(name, admin, Namespace("nobody", "search"))


@pytest.fixture
async def client(writable: RunningGateway) -> AsyncIterator[Client[Any]]:
    async with writable.client(ADMIN) as opened:
        yield opened


async def call(client: Client[Any], tool: str, args: dict[str, Any]) -> Any:
    return await client.call_tool(tool, args, raise_on_error=False)


def stored(sandbox: Sandbox, name: str) -> KnowledgeObject | None:
    return next((o for o in sandbox.state.saved_searches.all() if o.name == name), None)


async def test_a_created_alert_reads_back_with_its_condition_schedule_and_throttling(
    client: Client[Any], fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    args = {
        "name": name,
        "search": 'index=security "Failed password" | stats count by src_ip',
        "cron_schedule": "*/10 * * * *",
        "earliest_time": "-10m",
        "alert_type": "number of results",
        "alert_comparator": "greater than",
        "alert_threshold": 3,
        "severity": 4,
        "suppress": True,
        "suppress_period": "30m",
        "suppress_fields": ["src_ip"],
    }
    created = ok(await call(client, "create_alert", args))
    assert created["condition"]["alert_type"] == "number of results"
    assert created["actions"] == []
    settings = ok(await call(client, "get_saved_search", {"name": name}))["settings"]
    expected = {
        "search": args["search"],
        "cron_schedule": "*/10 * * * *",
        "dispatch.earliest_time": "-10m",
        "alert_type": "number of results",
        "alert_comparator": "greater than",
        "alert_threshold": "3",
        "alert.severity": "4",
        "alert.suppress.period": "30m",
        "alert.suppress.fields": "src_ip",
    }
    assert {k: str(settings[k]) for k in expected} == expected
    assert settings["is_scheduled"] in (True, 1, "1")
    assert settings["alert.suppress"] in (True, 1, "1")


async def test_the_same_create_again_is_harmless_and_a_different_one_is_refused(
    client: Client[Any], fresh_name: Callable[[], str]
) -> None:
    args = {"name": fresh_name(), "search": "index=web status>=500", "cron_schedule": "0 * * * *"}
    first = ok(await call(client, "create_alert", args))
    assert ok(await call(client, "create_alert", args)) == first
    clash = error(await call(client, "create_alert", args | {"search": "index=web status>=400"}))
    assert clash["code"] == "invalid_argument"
    assert "update_alert" in clash["message"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"cron_schedule": "61 * * * *"}, "cron_schedule"),
        ({"alert_type": "custom"}, "alert_condition"),
        ({"suppress": True}, "suppress_period"),
    ],
)
async def test_an_alert_that_would_not_fire_as_meant_is_refused_naming_the_argument(
    client: Client[Any], sandbox: Sandbox, changes: dict[str, Any], named: str
) -> None:
    name = f"mcp-alert refused {uuid.uuid4().hex[:8]}"
    args = {"name": name, "search": "index=web", "cron_schedule": "*/5 * * * *"} | changes
    failure = error(await call(client, "create_alert", args))
    assert failure["code"] == "invalid_argument"
    assert named in failure["message"]
    assert stored(sandbox, name) is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"search": "index=web | outputlookup stolen.csv"}, "outputlookup"),
        ({"alert_type": "custom", "alert_condition": "search count > 1 | sendemail to=x@example.com"}, "sendemail"),
    ],
)
async def test_stored_spl_that_writes_or_sends_is_refused_before_anything_is_saved(
    client: Client[Any], sandbox: Sandbox, changes: dict[str, Any], named: str
) -> None:
    name = f"mcp-alert policy {uuid.uuid4().hex[:8]}"
    args = {"name": name, "search": "index=web", "cron_schedule": "*/5 * * * *"} | changes
    failure = error(await call(client, "create_alert", args))
    assert failure["code"] == "policy_violation"
    assert named in failure["message"]
    assert stored(sandbox, name) is None


async def test_actions_are_refused_naming_the_setting_unless_the_operator_allows_them(
    client: Client[Any], actions_client: Client[Any], sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    email = {"type": "email", "params": {"to": "soc@example.com", "auth_password": "Sm7p-Secret-9"}}
    args = {"name": name, "search": "index=security", "cron_schedule": "*/5 * * * *", "actions": [email]}
    refused = error(await call(client, "create_alert", args))
    assert "MCP_SPLUNK_ALLOW_ALERT_ACTIONS" in refused["message"]
    assert stored(sandbox, name) is None

    created = ok(await call(actions_client, "create_alert", args))
    (action,) = created["actions"]
    assert action["type"] == "email"
    assert action["params"] | {"to": "soc@example.com", "auth_password": "********"} == action["params"]
    content = stored(sandbox, name)
    assert content is not None
    assert (content.content["actions"], content.content["action.email.to"]) == ("email", "soc@example.com")
    assert "Sm7p-Secret-9" not in str(created)

    webhook = {"type": "webhook", "params": {"param.url": "https://hooks.example.com/a"}}
    updated = ok(await call(actions_client, "update_alert", {"name": name, "actions": [webhook]}))
    assert [a["type"] for a in updated["actions"]] == ["webhook"]
    after = stored(sandbox, name)
    assert after is not None
    assert after.content["action.email"] in (False, "0")
    assert error(await call(actions_client, "update_alert", {"name": name, "actions": [{"type": "script"}]}))


async def test_an_update_changes_only_what_is_given_and_reports_before_and_after(
    client: Client[Any], sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(client, "create_alert", {"name": name, "search": "index=web", "cron_schedule": "*/5 * * * *"}))
    updated = ok(await call(client, "update_alert", {"name": name, "alert_threshold": 7, "severity": 5}))
    assert updated["changed"]["alert_threshold"] == {"before": "0", "after": "7"}
    content = stored(sandbox, name)
    assert content is not None
    assert (content.content["search"], content.content["cron_schedule"]) == ("index=web", "*/5 * * * *")
    assert (str(content.content["alert_threshold"]), str(content.content["alert.severity"])) == ("7", "5")
