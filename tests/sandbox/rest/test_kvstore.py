"""KV Store: storage/collections/config and storage/collections/data through splunklib, plus raw error cases."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, connect, json_messages, raw_client, xml_messages

PEOPLE: list[dict[str, Any]] = [
    {"_key": "p1", "name": "ada", "team": "core", "age": 36, "tags": ["math", "engines"]},
    {"_key": "p2", "name": "bob", "team": "web", "age": 25, "tags": ["css"]},
    {"_key": "p3", "name": "cy", "team": "core", "age": 41, "tags": []},
    {"_key": "p4", "name": "dee", "team": "ops", "age": 29},
    {"_key": "p5", "name": "eve", "team": "web", "age": 52, "tags": ["security"]},
    {"_key": "p6", "name": "finn", "team": "ops", "age": 33, "tags": ["math"]},
]


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    # KV Store collections are namespaced: connect in the app that holds them, as splunklib's docs advise.
    return connect(sandbox, owner="nobody", app="search")


@pytest.fixture
def collection(service: client.Service) -> Iterator[client.KVStoreCollection]:
    name = f"people_{uuid.uuid4().hex[:8]}"
    service.kvstore.create(name, fields={"age": "number", "name": "string"})
    people = service.kvstore[name]
    people.data.batch_save(*PEOPLE)
    yield people
    if name in service.kvstore:
        service.kvstore.delete(name)


def _keys(docs: list[dict[str, Any]]) -> list[str]:
    return [d["_key"] for d in docs]


def _where(predicate: Any) -> list[str]:
    return [p["_key"] for p in PEOPLE if predicate(p)]


# -- config ----------------------------------------------------------------------------------------------
def test_the_sample_collection_is_listed_with_its_schema(service: client.Service) -> None:
    assert "assets" in [c.name for c in service.kvstore]
    assets = service.kvstore["assets"]
    assert assets["field.criticality"] == "number"
    assert assets["accelerated_fields.ip"] == {"ip": 1}
    assert assets["eai:appName"] == "search"
    assert assets.access.app == "search"


def test_a_collection_is_created_updated_and_deleted(service: client.Service) -> None:
    name = f"coll_{uuid.uuid4().hex[:8]}"
    service.kvstore.create(name, accelerated_fields={"ind1": {"a": 1}}, fields={"a": "number"})
    assert name in service.kvstore
    created = service.kvstore[name]
    assert created["field.a"] == "number"
    assert created["accelerated_fields.ind1"] == {"a": 1}
    created.update_field("a", "string")
    created.update_accelerated_field("ind1", {"a": -1})
    changed = service.kvstore[name]
    assert changed["field.a"] == "string"
    assert changed["accelerated_fields.ind1"] == {"a": -1}
    changed.delete()
    assert name not in service.kvstore


def test_creating_an_existing_collection_is_refused(service: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        service.kvstore.create("assets")
    assert caught.value.status == 409


def test_a_collection_of_another_app_is_not_found(sandbox: Sandbox) -> None:
    elsewhere = connect(sandbox, owner="nobody", app="launcher")
    assert "assets" not in elsewhere.kvstore


# -- data: CRUD ------------------------------------------------------------------------------------------
def test_documents_are_inserted_read_updated_and_deleted(collection: client.KVStoreCollection) -> None:
    data = collection.data
    key = data.insert({"name": "gus", "team": "web", "age": "44"})["_key"]
    assert data.query_by_id(key) == {"_key": key, "_user": "nobody", "name": "gus", "team": "web", "age": 44}
    data.update(key, {"name": "gus", "team": "core", "age": 45})
    assert data.query_by_id(key)["team"] == "core"
    data.delete_by_id(key)
    with pytest.raises(binding.HTTPError) as caught:
        data.query_by_id(key)
    assert caught.value.status == 404
    assert len(data.query()) == len(PEOPLE)


def test_inserting_an_existing_key_is_refused_and_keeps_the_document(collection: client.KVStoreCollection) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        collection.data.insert({"_key": "p1", "name": "impostor"})
    assert caught.value.status == 409
    assert collection.data.query_by_id("p1")["name"] == "ada"


def test_delete_with_a_query_removes_only_the_matches(collection: client.KVStoreCollection) -> None:
    collection.data.delete(json.dumps({"age": {"$gt": 35}}))
    assert sorted(_keys(collection.data.query())) == _where(lambda p: p["age"] <= 35)
    collection.data.delete()
    assert collection.data.query() == []


def test_updating_or_deleting_a_missing_document_is_a_404(collection: client.KVStoreCollection) -> None:
    for call in (lambda: collection.data.update("nope", {"a": 1}), lambda: collection.data.delete_by_id("nope")):
        with pytest.raises(binding.HTTPError) as caught:
            call()
        assert caught.value.status == 404


# -- data: queries ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ({"team": "core"}, lambda p: p["team"] == "core"),
        ({"age": {"$gt": 33}}, lambda p: p["age"] > 33),
        ({"age": {"$gte": 33, "$lt": 45}}, lambda p: 33 <= p["age"] < 45),
        ({"team": {"$in": ["web", "ops"]}}, lambda p: p["team"] in ("web", "ops")),
        ({"team": {"$nin": ["web", "ops"]}}, lambda p: p["team"] not in ("web", "ops")),
        ({"team": {"$ne": "core"}}, lambda p: p["team"] != "core"),
        ({"name": {"$regex": "^[a-d]"}}, lambda p: re.match("^[a-d]", p["name"])),
        ({"$or": [{"team": "ops"}, {"age": {"$lt": 30}}]}, lambda p: p["team"] == "ops" or p["age"] < 30),
        ({"$and": [{"team": "web"}, {"age": {"$gt": 30}}]}, lambda p: p["team"] == "web" and p["age"] > 30),
        ({"tags": "math"}, lambda p: "math" in p.get("tags", [])),
        ({"tags": {"$exists": False}}, lambda p: "tags" not in p),
        ({"age": {"$not": {"$gt": 30}}}, lambda p: not p["age"] > 30),
        ({"age": "36"}, lambda p: False),  # a string never equals a number
    ],
    ids=["eq", "gt", "range", "in", "nin", "ne", "regex", "or", "and", "array", "exists", "not", "types"],
)
def test_mongo_style_queries_select_the_right_documents(
    collection: client.KVStoreCollection, query: dict[str, Any], predicate: Any
) -> None:
    assert sorted(_keys(collection.data.query(query=query))) == _where(predicate)


def test_sort_skip_limit_and_fields_shape_the_answer(collection: client.KVStoreCollection) -> None:
    data = collection.data
    by_age = sorted(PEOPLE, key=lambda p: p["age"], reverse=True)
    assert _keys(data.query(sort="age:-1")) == [p["_key"] for p in by_age]
    assert _keys(data.query(sort="age:-1", skip=1, limit=2)) == [p["_key"] for p in by_age[1:3]]
    by_team = sorted(PEOPLE, key=lambda p: (p["team"], -p["age"]))
    assert _keys(data.query(sort="team,age:-1")) == [p["_key"] for p in by_team]
    assert data.query(query={"_key": "p2"}, fields="name,age") == [{"_key": "p2", "name": "bob", "age": 25}]
    assert data.query(query={"_key": "p2"}, fields="name,_id:0") == [{"name": "bob"}]
    assert data.query(query={"_key": "p2"}, fields="tags:0,_user:0") == [
        {"_key": "p2", "name": "bob", "team": "web", "age": 25}
    ]


def test_batch_save_upserts_and_batch_find_answers_each_query(collection: client.KVStoreCollection) -> None:
    data = collection.data
    keys = data.batch_save(
        {"_key": "p1", "name": "ada", "team": "ops", "age": 37}, {"_key": "p7", "name": "new", "age": 1}
    )
    assert keys == ["p1", "p7"]
    assert len(data.query()) == len(PEOPLE) + 1
    found = data.batch_find(
        {"query": {"team": "ops"}, "sort": "age", "fields": "name"},
        {"query": {"age": {"$lt": 26}}, "sort": "age:-1"},
        {"query": {}, "skip": 1, "limit": 2, "sort": "_key"},
    )
    assert [[d["name"] for d in answer] for answer in found[:2]] == [["dee", "finn", "ada"], ["bob", "new"]]
    assert _keys(found[2]) == ["p2", "p3"]


def test_declared_fields_are_converted_and_bad_values_dropped(collection: client.KVStoreCollection) -> None:
    key = collection.data.insert({"name": 7, "age": "not a number", "extra": "kept"})["_key"]
    assert collection.data.query_by_id(key) == {"_key": key, "_user": "nobody", "name": "7", "extra": "kept"}


def test_enforced_types_refuse_bad_values(service: client.Service) -> None:
    assets = service.kvstore["assets"].data
    with pytest.raises(binding.HTTPError) as caught:
        assets.insert({"hostname": "bad", "criticality": "very"})
    assert caught.value.status == 400
    assert assets.query(query={"hostname": "bad"}) == []


def test_the_sample_assets_answer_queries(sandbox: Sandbox, service: client.Service) -> None:
    records = list(sandbox.state.kv_records("assets").values())
    critical = service.kvstore["assets"].data.query(query={"criticality": {"$gte": 4}}, sort="hostname")
    assert _keys(critical) == sorted(r["_key"] for r in records if r["criticality"] >= 4)


# -- data: errors and permissions ------------------------------------------------------------------------
def test_bad_json_and_bad_queries_answer_400(sandbox: Sandbox, collection: client.KVStoreCollection) -> None:
    path = f"/servicesNS/nobody/search/storage/collections/data/{collection.name}"
    with raw_client(sandbox) as http:
        bad_body = http.post(path, content=b"NOT VALID DATA", headers={"Content-Type": "application/json"})
        not_object = http.post(path, content=b"[1, 2]", headers={"Content-Type": "application/json"})
        bad_query = http.get(path, params={"query": "{nope", "output_mode": "json"})
        bad_operator = http.get(path, params={"query": '{"a": {"$near": 1}}'})
        bad_sort = http.get(path, params={"sort": "age:up"})
        bad_batch = http.post(f"{path}/batch_find", content=b'[{"team": "web"}]')
        alive = http.get(path)
    assert bad_body.status_code == 400
    assert xml_messages(bad_body.content) == [("ERROR", "Request body is not valid JSON.")]
    assert not_object.status_code == 400
    assert bad_query.status_code == 400
    assert json_messages(bad_query.content)[0][1].startswith("Invalid query:")
    assert bad_operator.status_code == 400
    assert bad_sort.status_code == 400
    assert bad_batch.status_code == 400
    assert len(alive.json()) == len(PEOPLE)


def test_data_of_an_unknown_collection_is_a_404(service: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        service.get("storage/collections/data/no_such_collection")
    assert caught.value.status == 404


def test_the_analyst_reads_but_cannot_write_the_shared_collection(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST, owner="nobody", app="search")
    assets = analyst.kvstore["assets"].data
    assert len(assets.query()) == len(sandbox.state.kv_records("assets"))
    with pytest.raises(binding.HTTPError) as caught:
        assets.insert({"hostname": "sneaky"})
    assert caught.value.status == 403
