"""KV Store tools over MCP against the sandbox: listings, queries and writes, with expected records computed from
the sandbox's own data in plain Python."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_splunk.sandbox import Sandbox
from tests.support import ADMIN, ANALYST, RunningGateway, error, ok, running_gateway, sandbox_defaults

ASSETS = "assets"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def narrow(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), max_row_limit=5) as running:
        yield running


@pytest.fixture(scope="module")
def tight(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), max_output_chars=1500) as running:
        yield running


@pytest.fixture
def tag(sandbox: Sandbox) -> Iterator[str]:
    """A unique marker for the records a test creates; they are removed afterwards."""
    marker = f"kvtest-{uuid.uuid4().hex[:10]}"
    yield marker
    with sandbox.state.kv_lock:
        records = sandbox.state.kv_records(ASSETS)
        for key in [k for k, r in records.items() if k.startswith(marker) or r.get("owner") == marker]:
            del records[key]


async def call(gateway: RunningGateway, tool: str, args: dict[str, Any], headers: dict[str, str] = ADMIN) -> Any:
    async with gateway.client(headers) as client:
        return await client.call_tool(tool, args, raise_on_error=False)


def assets(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.state.kv_lock:
        return [dict(r) for r in sandbox.state.kv_records(ASSETS).values()]


def by_key(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {r["_key"]: r for r in assets(sandbox)}


def number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- reads -------------------------------------------------------------------------------------------------
async def test_collections_list_the_assets_collection_with_its_field_types_and_accelerated_fields(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    data = ok(await call(gateway, "list_kvstore_collections", {}))
    expected = {o.name: o for o in sandbox.state.kv_collections.all()}
    assert {c["name"] for c in data["collections"]} == set(expected)
    (listed,) = [c for c in data["collections"] if c["name"] == ASSETS]
    content = expected[ASSETS].content
    assert listed["app"] == expected[ASSETS].acl.app
    assert listed["fields"] == {k[len("field.") :]: v for k, v in content.items() if k.startswith("field.")}
    assert listed["accelerated_fields"] == {
        k[len("accelerated_fields.") :]: json.loads(v)
        for k, v in content.items()
        if k.startswith("accelerated_fields.")
    }
    assert data["paging"]["total"] == len(expected)


async def test_collections_of_an_app_that_has_none_are_an_empty_page(gateway: RunningGateway) -> None:
    data = ok(await call(gateway, "list_kvstore_collections", {"app": "no_such_app_kv"}))
    assert data["collections"] == []
    assert data["paging"]["total"] == 0


async def test_a_query_filters_sorts_skips_and_limits_like_the_kv_store(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    args = {
        "collection": ASSETS,
        "query": {"criticality": {"$gte": 3}},
        "sort": ["-criticality", "hostname"],
        "skip": 2,
        "limit": 4,
    }
    data = ok(await call(gateway, "query_kvstore", args))
    matching = [r for r in assets(sandbox) if number(r.get("criticality")) and r["criticality"] >= 3]
    matching.sort(key=lambda r: (-r["criticality"], r["hostname"]))
    assert data["records"] == matching[2:6]
    assert data["paging"]["offset"] == 2
    assert data["paging"]["has_more"] is (len(matching) > 6)


async def test_fields_project_each_record_to_the_named_fields_and_its_key(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    args = {"collection": ASSETS, "query": {"owner": "dba"}, "fields": ["hostname", "owner"]}
    data = ok(await call(gateway, "query_kvstore", args))
    expected = {
        r["_key"]: {"_key": r["_key"], "hostname": r["hostname"], "owner": "dba"}
        for r in assets(sandbox)
        if r.get("owner") == "dba"
    }
    assert expected
    assert {r["_key"]: r for r in data["records"]} == expected


async def test_paging_through_a_collection_reassembles_every_record_once(
    gateway: RunningGateway, sandbox: Sandbox
) -> None:
    seen: list[dict[str, Any]] = []
    skip: int | None = 0
    pages = 0
    while skip is not None:
        data = ok(
            await call(gateway, "query_kvstore", {"collection": ASSETS, "sort": ["_key"], "limit": 7, "skip": skip})
        )
        seen.extend(data["records"])
        paging = data["paging"]
        assert paging["offset"] == skip
        assert paging["total"] is None if paging["has_more"] else paging["total"] == len(seen)
        skip = paging["next_offset"]
        pages += 1
    expected = sorted(assets(sandbox), key=lambda r: r["_key"])
    assert seen == expected
    assert pages == max(1, -(-len(expected) // 7))  # no empty trailing page


async def test_a_limit_above_the_gateways_maximum_is_lowered_to_it(narrow: RunningGateway, sandbox: Sandbox) -> None:
    data = ok(await call(narrow, "query_kvstore", {"collection": ASSETS, "limit": 50, "sort": ["_key"]}))
    assert len(data["records"]) == 5
    assert data["records"] == sorted(assets(sandbox), key=lambda r: r["_key"])[:5]
    assert data["limit_lowered"] == {"requested": 50, "max_row_limit": 5}
    assert data["paging"]["has_more"] is True
    assert data["paging"]["next_offset"] == 5


async def test_records_beyond_the_output_budget_are_left_for_the_next_page_and_flagged(
    tight: RunningGateway, sandbox: Sandbox
) -> None:
    data = ok(await call(tight, "query_kvstore", {"collection": ASSETS, "limit": 100, "sort": ["_key"]}))
    expected = sorted(assets(sandbox), key=lambda r: r["_key"])
    returned = len(data["records"])
    assert 0 < returned < min(100, len(expected))
    assert data["records"] == expected[:returned]
    assert data["truncated"]["rows_returned"] == returned
    assert data["paging"] == {"offset": 0, "count": returned, "total": None, "has_more": True, "next_offset": returned}


async def test_an_unknown_collection_is_not_found_naming_the_collection_and_app(gateway: RunningGateway) -> None:
    failure = error(await call(gateway, "query_kvstore", {"collection": "no_such_collection_q", "app": "search"}))
    assert failure["code"] == "not_found"
    assert "'no_such_collection_q'" in failure["message"]
    assert "app 'search'" in failure["message"]
    assert "list_kvstore_collections" in failure["message"]


async def test_an_unknown_query_operator_is_an_invalid_argument_naming_it_and_where(gateway: RunningGateway) -> None:
    args = {"collection": ASSETS, "query": {"$or": [{"owner": "dba"}, {"criticality": {"$greater": 3}}]}}
    failure = error(await call(gateway, "query_kvstore", args))
    assert failure["code"] == "invalid_argument"
    assert "'$greater'" in failure["message"]
    assert "query.$or[1].criticality" in failure["message"]
    assert "$gte" in failure["message"]  # the supported operators are listed


async def test_a_query_the_kv_store_rejects_is_an_invalid_argument_with_its_reason(gateway: RunningGateway) -> None:
    failure = error(await call(gateway, "query_kvstore", {"collection": ASSETS, "query": {"hostname": {"$regex": 5}}}))
    assert failure["code"] == "invalid_argument"
    assert "$regex" in failure["message"]
    assert "'assets'" in failure["message"]


async def test_a_collection_name_that_is_not_a_name_is_refused_before_splunk(gateway: RunningGateway) -> None:
    failure = error(await call(gateway, "query_kvstore", {"collection": "../config/assets"}))
    assert failure["code"] == "invalid_argument"
    assert "collection" in failure["message"]


# -- writes ------------------------------------------------------------------------------------------------
async def test_the_analyst_can_read_assets_but_cannot_write_them(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    read = ok(await call(writable, "query_kvstore", {"collection": ASSETS, "limit": 1000}, ANALYST))
    assert len(read["records"]) == len(assets(sandbox))
    record = {"_key": f"{tag}-a", "hostname": "analyst-host"}
    failure = error(
        await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": [record]}, ANALYST)
    )
    assert failure["code"] == "permission_denied"
    assert "'assets'" in failure["message"]
    assert f"{tag}-a" not in by_key(sandbox)


async def test_inserted_records_are_found_by_a_query(writable: RunningGateway, sandbox: Sandbox, tag: str) -> None:
    records = [{"_key": f"{tag}-{i}", "hostname": f"host-{i}", "owner": tag} for i in range(3)]
    inserted = ok(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": records}))
    assert inserted["keys"] == [r["_key"] for r in records]
    stored = by_key(sandbox)
    for record in records:
        assert {k: v for k, v in stored[record["_key"]].items() if k != "_user"} == record
    found = ok(await call(writable, "query_kvstore", {"collection": ASSETS, "query": {"owner": tag}, "sort": ["_key"]}))
    assert [{k: v for k, v in r.items() if k != "_user"} for r in found["records"]] == records


async def test_records_without_a_key_get_one_from_splunk(writable: RunningGateway, sandbox: Sandbox, tag: str) -> None:
    inserted = ok(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": [{"owner": tag}]}))
    (key,) = inserted["keys"]
    assert by_key(sandbox)[key]["owner"] == tag


async def test_inserting_a_key_that_exists_is_refused_and_changes_nothing(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    existing_key = sorted(by_key(sandbox))[0]
    before = by_key(sandbox)[existing_key]
    records = [{"_key": f"{tag}-new", "owner": tag}, {"_key": existing_key, "hostname": "overwritten"}]
    failure = error(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": records}))
    assert failure["code"] == "invalid_argument"
    assert existing_key in failure["message"]
    assert "update_kvstore_record" in failure["message"]
    assert by_key(sandbox)[existing_key] == before
    assert f"{tag}-new" not in by_key(sandbox)


async def test_an_update_replaces_the_record_and_a_merge_keeps_its_other_fields(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    key = f"{tag}-u"
    ok(
        await call(
            writable,
            "insert_kvstore_records",
            {"collection": ASSETS, "records": [{"_key": key, "hostname": "h1", "owner": tag, "ip": "10.9.9.9"}]},
        )
    )
    replaced = ok(
        await call(writable, "update_kvstore_record", {"collection": ASSETS, "key": key, "record": {"hostname": "h2"}})
    )
    assert {k: v for k, v in by_key(sandbox)[key].items() if k != "_user"} == {"_key": key, "hostname": "h2"}
    assert replaced["before"]["ip"] == "10.9.9.9"
    merged = ok(
        await call(
            writable,
            "update_kvstore_record",
            {"collection": ASSETS, "key": key, "record": {"owner": tag}, "merge": True},
        )
    )
    stored = {k: v for k, v in by_key(sandbox)[key].items() if k != "_user"}
    assert stored == {"_key": key, "hostname": "h2", "owner": tag}
    assert merged["after"] == stored


async def test_updating_a_missing_record_is_not_found_and_creates_nothing(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    key = f"{tag}-missing"
    failure = error(
        await call(writable, "update_kvstore_record", {"collection": ASSETS, "key": key, "record": {"owner": tag}})
    )
    assert failure["code"] == "not_found"
    assert key in failure["message"]
    assert key not in by_key(sandbox)


async def test_a_delete_without_confirm_is_refused_naming_what_it_would_delete_and_deletes_nothing(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    keys = [f"{tag}-d{i}" for i in range(2)]
    ok(
        await call(
            writable,
            "insert_kvstore_records",
            {"collection": ASSETS, "records": [{"_key": k, "owner": tag} for k in keys]},
        )
    )
    failure = error(await call(writable, "delete_kvstore_records", {"collection": ASSETS, "keys": keys}))
    assert failure["code"] == "invalid_argument"
    assert "confirm" in failure["message"]
    assert "2 record(s)" in failure["message"]
    assert all(k in failure["message"] for k in keys)
    assert set(keys) <= set(by_key(sandbox))


@pytest.mark.parametrize("selector", [{}, {"keys": [], "query": {}}, {"keys": None, "query": None}])
async def test_a_delete_with_an_empty_selector_is_refused_even_when_confirmed(
    writable: RunningGateway, sandbox: Sandbox, selector: dict[str, Any]
) -> None:
    before = len(assets(sandbox))
    failure = error(await call(writable, "delete_kvstore_records", {"collection": ASSETS, "confirm": True, **selector}))
    assert failure["code"] == "invalid_argument"
    assert "selector" in failure["message"]
    assert len(assets(sandbox)) == before


async def test_a_confirmed_delete_by_keys_removes_exactly_those_records(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    keys = [f"{tag}-k{i}" for i in range(3)]
    ok(
        await call(
            writable,
            "insert_kvstore_records",
            {"collection": ASSETS, "records": [{"_key": k, "owner": tag} for k in keys]},
        )
    )
    before = len(assets(sandbox))
    deleted = ok(
        await call(
            writable,
            "delete_kvstore_records",
            {"collection": ASSETS, "keys": [keys[0], keys[1], f"{tag}-absent"], "confirm": True},
        )
    )
    assert deleted["deleted"] == 2
    assert sorted(deleted["keys"]) == keys[:2]
    assert deleted["keys_not_found"] == [f"{tag}-absent"]
    remaining = by_key(sandbox)
    assert keys[2] in remaining
    assert not {keys[0], keys[1]} & set(remaining)
    assert len(remaining) == before - 2


async def test_a_confirmed_delete_by_query_removes_only_the_matching_records(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    ok(
        await call(
            writable,
            "insert_kvstore_records",
            {"collection": ASSETS, "records": [{"_key": f"{tag}-q{i}", "owner": tag} for i in range(3)]},
        )
    )
    others = {k: r for k, r in by_key(sandbox).items() if r.get("owner") != tag}
    deleted = ok(
        await call(writable, "delete_kvstore_records", {"collection": ASSETS, "query": {"owner": tag}, "confirm": True})
    )
    assert deleted["deleted"] == 3
    assert by_key(sandbox) == others


async def test_a_confirmed_delete_of_hundreds_of_keys_removes_them_all(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    keys = [f"{tag}-m{i:03d}" for i in range(250)]
    records = [{"_key": k, "owner": tag} for k in keys]
    ok(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": records}))
    again = error(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": records[-1:]}))
    assert again["code"] == "invalid_argument"
    assert keys[-1] in again["message"]
    others = {k: r for k, r in by_key(sandbox).items() if r.get("owner") != tag}
    deleted = ok(await call(writable, "delete_kvstore_records", {"collection": ASSETS, "keys": keys, "confirm": True}))
    assert deleted["deleted"] == 250
    assert sorted(deleted["keys"]) == keys
    assert by_key(sandbox) == others


async def test_a_batch_that_repeats_a_key_is_refused_and_inserts_nothing(
    writable: RunningGateway, sandbox: Sandbox, tag: str
) -> None:
    records = [{"_key": f"{tag}-dup", "owner": tag}, {"_key": f"{tag}-dup", "owner": tag}]
    failure = error(await call(writable, "insert_kvstore_records", {"collection": ASSETS, "records": records}))
    assert failure["code"] == "invalid_argument"
    assert f"{tag}-dup" in failure["message"]
    assert f"{tag}-dup" not in by_key(sandbox)
