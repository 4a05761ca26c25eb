"""Saved-search writes over MCP against the sandbox: created searches appear in it, updates change only what is
given, deletes need confirm, and SPL that writes is refused before anything is saved."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace
from tests.support import ADMIN, ANALYST, RunningGateway, error, ok

SAMPLE = "Web errors by host"  # a saved search the sandbox ships, owned by admin


@pytest.fixture
def fresh_name(sandbox: Sandbox) -> Iterator[Callable[[], str]]:
    """Unique saved-search names; whatever of them exists after the test is removed."""
    made: list[str] = []

    def make() -> str:
        made.append(f"mcp-test {uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    for name in made:
        if saved(sandbox, name) is not None:
            sandbox.state.saved_searches.delete(name, admin, Namespace("nobody", "search"))


async def call(gateway: RunningGateway, tool: str, args: dict[str, Any], headers: dict[str, str] = ADMIN) -> Any:
    async with gateway.client(headers) as client:
        return await client.call_tool(tool, args, raise_on_error=False)


def saved(sandbox: Sandbox, name: str) -> KnowledgeObject | None:
    return next((o for o in sandbox.state.saved_searches.all() if o.name == name), None)


async def test_a_created_saved_search_appears_in_the_sandbox_with_its_settings(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    args = {
        "name": name,
        "search": "index=web status>=500 | stats count by host",
        "description": "5xx per host",
        "earliest_time": "-4h",
        "latest_time": "now",
    }
    data = ok(await call(writable, "create_saved_search", args))
    stored = saved(sandbox, name)
    assert stored is not None
    assert stored.content["search"] == args["search"]
    assert stored.content["description"] == args["description"]
    assert (stored.content["dispatch.earliest_time"], stored.content["dispatch.latest_time"]) == ("-4h", "now")
    assert (stored.acl.owner, stored.acl.app) == ("nobody", "search")
    assert (data["name"], data["search"], data["is_scheduled"]) == (name, args["search"], False)


async def test_a_scheduled_saved_search_is_stored_with_its_cron_schedule(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    args = {
        "name": name,
        "search": "index=main level=ERROR | stats count",
        "is_scheduled": True,
        "cron_schedule": "*/30 * * * *",
    }
    ok(await call(writable, "create_saved_search", args))
    stored = saved(sandbox, name)
    assert stored is not None
    assert (stored.content["is_scheduled"], stored.content["cron_schedule"]) == (True, "*/30 * * * *")


async def test_scheduling_without_a_cron_schedule_is_refused(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    failure = error(
        await call(writable, "create_saved_search", {"name": name, "search": "index=web", "is_scheduled": True})
    )
    assert failure["code"] == "invalid_argument"
    assert "cron_schedule" in failure["message"]
    assert saved(sandbox, name) is None


@pytest.mark.parametrize(
    ("search", "command"),
    [
        ("index=web | outputlookup stolen.csv", "outputlookup"),
        ("index=web | collect index=summary", "collect"),
        ("| makeresults | sendemail to=someone@example.com", "sendemail"),
        ("index=web [search index=main | delete]", "delete"),
    ],
)
async def test_spl_that_writes_is_refused_by_the_policy_and_nothing_is_saved(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str], search: str, command: str
) -> None:
    name = fresh_name()
    failure = error(await call(writable, "create_saved_search", {"name": name, "search": search}))
    assert failure["code"] == "policy_violation"
    assert f"'{command}'" in failure["message"]
    assert saved(sandbox, name) is None


async def test_a_macro_is_judged_on_its_expansion_and_a_reading_one_is_saved(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(writable, "create_saved_search", {"name": name, "search": "`web_errors` | stats count by host"}))
    assert saved(sandbox, name) is not None


async def test_a_time_range_beyond_the_operators_limit_is_refused(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    failure = error(
        await call(writable, "create_saved_search", {"name": name, "search": "index=web", "earliest_time": "-90d"})
    )
    assert failure["code"] == "policy_violation"
    assert "MCP_SPLUNK_MAX_SEARCH_DAYS" in failure["message"]
    assert saved(sandbox, name) is None


async def test_creating_a_name_that_exists_is_refused_and_leaves_it_alone(
    writable: RunningGateway, sandbox: Sandbox
) -> None:
    before = saved(sandbox, SAMPLE)
    assert before is not None
    failure = error(await call(writable, "create_saved_search", {"name": SAMPLE, "search": "index=main"}))
    assert failure["code"] == "invalid_argument"
    assert "update_saved_search" in failure["message"]
    assert saved(sandbox, SAMPLE) == before


async def test_an_update_changes_only_the_given_fields(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(
        await call(
            writable,
            "create_saved_search",
            {"name": name, "search": "index=web | head 5", "earliest_time": "-2h", "description": "old"},
        )
    )
    before = saved(sandbox, name)
    assert before is not None
    data = ok(await call(writable, "update_saved_search", {"name": name, "description": "new"}))
    after = saved(sandbox, name)
    assert after is not None
    assert after.content == {**before.content, "description": "new"}
    assert data["changed"] == {"description": {"before": "old", "after": "new"}}


async def test_an_update_to_spl_that_writes_is_refused_and_changes_nothing(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(writable, "create_saved_search", {"name": name, "search": "index=web | head 5"}))
    before = saved(sandbox, name)
    failure = error(
        await call(writable, "update_saved_search", {"name": name, "search": "index=web | outputlookup x.csv"})
    )
    assert failure["code"] == "policy_violation"
    assert saved(sandbox, name) == before


async def test_an_update_with_nothing_to_change_is_refused(writable: RunningGateway) -> None:
    failure = error(await call(writable, "update_saved_search", {"name": SAMPLE}))
    assert failure["code"] == "invalid_argument"
    assert "Nothing to change" in failure["message"]


async def test_updating_a_missing_saved_search_is_not_found(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    failure = error(await call(writable, "update_saved_search", {"name": name, "description": "x"}))
    assert failure["code"] == "not_found"
    assert name in failure["message"]
    assert saved(sandbox, name) is None


async def test_the_analyst_cannot_change_a_saved_search_of_the_admin(
    writable: RunningGateway, sandbox: Sandbox
) -> None:
    before = saved(sandbox, SAMPLE)
    failure = error(await call(writable, "update_saved_search", {"name": SAMPLE, "description": "mine"}, ANALYST))
    assert failure["code"] == "permission_denied"
    assert saved(sandbox, SAMPLE) == before


async def test_a_delete_without_confirm_is_refused_and_the_saved_search_remains(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(writable, "create_saved_search", {"name": name, "search": "index=web | head 1"}))
    failure = error(await call(writable, "delete_saved_search", {"name": name}))
    assert failure["code"] == "invalid_argument"
    assert "confirm" in failure["message"]
    assert name in failure["message"]
    assert saved(sandbox, name) is not None


async def test_a_confirmed_delete_removes_the_saved_search(
    writable: RunningGateway, sandbox: Sandbox, fresh_name: Callable[[], str]
) -> None:
    name = fresh_name()
    ok(await call(writable, "create_saved_search", {"name": name, "search": "index=web | head 1"}))
    data = ok(await call(writable, "delete_saved_search", {"name": name, "confirm": True}))
    assert data["deleted"] == name
    assert saved(sandbox, name) is None
    again = error(await call(writable, "delete_saved_search", {"name": name, "confirm": True}))
    assert again["code"] == "not_found"
