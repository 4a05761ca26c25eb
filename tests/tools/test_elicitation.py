"""Destructive writes ask the user through an elicitation-capable client, against the sandbox: accept goes ahead,
decline and cancel change nothing and say so, on both protocol eras (handshake-era ``elicitation/create`` and the
2026-07-28 input-required round trip); a client that cannot ask keeps the ``confirm: true`` rule."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp.client.elicitation import ElicitResult
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import Namespace
from tests.support import ADMIN, RunningGateway, running_gateway, sandbox_defaults

ERAS = ["auto", "legacy"]  # 2026-07-28 (input-required result) and handshake-era (elicitation/create)
ASSETS = "assets"


@pytest.fixture(scope="module")
def stateless(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True, stateless=True) as running:
        yield running


class User:
    """An elicitation handler that answers every question the same way and remembers the questions."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.questions: list[str] = []

    async def __call__(self, message: str, response_type: Any, params: Any, context: Any) -> Any:
        self.questions.append(message)
        return True if self.action == "accept" else ElicitResult(action=self.action)


@pytest.fixture
def saved_search(sandbox: Sandbox) -> Iterator[str]:
    """A saved search made for the test, in the sandbox's state; removed afterwards if it is still there."""
    name = f"mcp-elicit {uuid.uuid4().hex[:10]}"
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    sandbox.state.saved_searches.create(
        name, admin, Namespace("nobody", "search"), {"search": "index=web | head 1"}, time.time()
    )
    yield name
    if exists(sandbox, name):
        sandbox.state.saved_searches.delete(name, admin, Namespace("nobody", "search"))


def exists(sandbox: Sandbox, name: str) -> bool:
    return any(o.name == name for o in sandbox.state.saved_searches.all())


def stored(sandbox: Sandbox, name: str) -> dict[str, Any]:
    return next(o.content for o in sandbox.state.saved_searches.all() if o.name == name)


async def call(gateway: RunningGateway, tool: str, args: dict[str, Any], user: User | None, mode: str = "auto") -> Any:
    handler = {"elicitation_handler": user} if user else {}
    async with gateway.client(ADMIN, mode=mode, **handler) as client:
        return await client.call_tool(tool, args, raise_on_error=False)


@pytest.mark.parametrize("mode", ERAS)
async def test_a_user_who_accepts_gets_the_saved_search_deleted_without_confirm_from_the_agent(
    writable: RunningGateway, sandbox: Sandbox, saved_search: str, mode: str
) -> None:
    user = User("accept")
    result = await call(writable, "delete_saved_search", {"name": saved_search}, user, mode)
    assert not result.is_error, result.content[0].text
    assert result.structured_content["deleted"] == saved_search
    assert len(user.questions) == 1
    assert saved_search in user.questions[0]
    assert "index=web | head 1" in user.questions[0]
    assert not exists(sandbox, saved_search)


@pytest.mark.parametrize("mode", ERAS)
@pytest.mark.parametrize(("action", "said"), [("decline", "declined"), ("cancel", "cancelled")])
async def test_a_user_who_declines_or_cancels_keeps_the_saved_search_even_when_the_agent_confirmed(
    writable: RunningGateway, sandbox: Sandbox, saved_search: str, mode: str, action: str, said: str
) -> None:
    user = User(action)
    result = await call(writable, "delete_saved_search", {"name": saved_search, "confirm": True}, user, mode)
    assert result.is_error
    error = result.structured_content["error"]
    assert error["code"] == "not_confirmed"
    assert "Nothing was changed" in error["message"]
    assert said in error["message"]
    assert len(user.questions) == 1
    assert exists(sandbox, saved_search)


async def test_an_update_shows_the_user_each_change_and_a_decline_leaves_the_search_as_it_was(
    writable: RunningGateway, sandbox: Sandbox, saved_search: str
) -> None:
    args = {"name": saved_search, "description": "changed by the test"}
    declined = User("decline")
    assert (await call(writable, "update_saved_search", args, declined)).is_error
    assert "changed by the test" in declined.questions[0]
    assert stored(sandbox, saved_search).get("description", "") == ""
    result = await call(writable, "update_saved_search", args, User("accept"))
    assert not result.is_error, result.content[0].text
    assert stored(sandbox, saved_search)["description"] == "changed by the test"


async def test_kvstore_records_go_only_when_the_user_accepts(writable: RunningGateway, sandbox: Sandbox) -> None:
    keys = [f"kv-elicit-{uuid.uuid4().hex[:8]}-{i}" for i in range(2)]
    with sandbox.state.kv_lock:
        records = sandbox.state.kv_records(ASSETS)
        for key in keys:
            records[key] = {"_key": key, "owner": "elicit-test"}
    try:
        args = {"collection": ASSETS, "keys": keys}
        declined = User("decline")
        assert (await call(writable, "delete_kvstore_records", args, declined)).is_error
        assert "2 record(s)" in declined.questions[0]
        assert keys[0] in declined.questions[0]
        assert set(keys) <= set(sandbox.state.kv_records(ASSETS))
        result = await call(writable, "delete_kvstore_records", args, User("accept"))
        assert not result.is_error, result.content[0].text
        assert result.structured_content["deleted"] == 2
        assert not set(keys) & set(sandbox.state.kv_records(ASSETS))
    finally:
        with sandbox.state.kv_lock:
            for key in keys:
                sandbox.state.kv_records(ASSETS).pop(key, None)


async def test_a_client_without_elicitation_keeps_the_confirm_rule(
    writable: RunningGateway, sandbox: Sandbox, saved_search: str
) -> None:
    refused = await call(writable, "delete_saved_search", {"name": saved_search}, None)
    assert refused.structured_content["error"]["code"] == "invalid_argument"
    assert exists(sandbox, saved_search)
    assert not (await call(writable, "delete_saved_search", {"name": saved_search, "confirm": True}, None)).is_error
    assert not exists(sandbox, saved_search)


async def test_a_handshake_era_client_of_a_stateless_gateway_cannot_be_asked_so_confirm_rules(
    stateless: RunningGateway, sandbox: Sandbox, saved_search: str
) -> None:
    user = User("decline")
    refused = await call(stateless, "delete_saved_search", {"name": saved_search}, user, "legacy")
    assert refused.structured_content["error"]["code"] == "invalid_argument"
    assert exists(sandbox, saved_search)
    deleted = await call(stateless, "delete_saved_search", {"name": saved_search, "confirm": True}, user, "legacy")
    assert not deleted.is_error, deleted.content[0].text
    assert user.questions == []
    assert not exists(sandbox, saved_search)


@pytest.mark.parametrize("action", ["accept", "decline"])
async def test_a_2026_client_of_a_stateless_gateway_is_still_asked_through_the_input_required_result(
    stateless: RunningGateway, sandbox: Sandbox, saved_search: str, action: str
) -> None:
    user = User(action)
    result = await call(stateless, "delete_saved_search", {"name": saved_search}, user)
    assert len(user.questions) == 1
    assert saved_search in user.questions[0]
    assert result.is_error == (action == "decline")
    assert exists(sandbox, saved_search) == (action == "decline")


async def test_the_question_and_the_confirmed_call_are_audited_and_counted_apart(
    sandbox: Sandbox, saved_search: str, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with running_gateway(sandbox_defaults(sandbox), allow_writes=True, audit_log=str(audit)) as gateway:
        result = await call(gateway, "delete_saved_search", {"name": saved_search}, User("accept"))
        assert not result.is_error
        assert gateway.gateway.metrics is not None
        scraped = generate_latest(gateway.gateway.metrics.registry).decode()
    outcomes = [
        line["outcome"]
        for line in map(json.loads, audit.read_text().splitlines())
        if line["tool"] == "delete_saved_search"
    ]
    assert outcomes == ["input_required", "ok"]  # the question leg, then the call that deleted
    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(scraped)
        for sample in family.samples
        if sample.name == "mcp_splunk_tool_calls_total" and sample.labels["tool"] == "delete_saved_search"
    }
    assert (counted["input_required"], counted["ok"]) == (1, 1)
    assert not exists(sandbox, saved_search)
