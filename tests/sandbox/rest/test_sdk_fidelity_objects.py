"""Knowledge objects as splunkd scopes them, through splunklib: KV Store collections per app and only in the
``nobody`` context, private objects without perms, per-object ACLs, event types, and the same name in two
namespaces (issue 15, gaps 4, 7, 8 and 9). Each test creates what it needs and deletes it afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, connect, oneshot


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def admin(sandbox: Sandbox) -> client.Service:
    return connect(sandbox, owner="admin", app="search")


# -- gap 4: KV Store collections are per app, in the nobody context --------------------------------------
def test_the_same_collection_name_lives_in_two_apps_with_separate_records(sandbox: Sandbox) -> None:
    name = _name("people")
    in_search = connect(sandbox, owner="nobody", app="search")
    in_launcher = connect(sandbox, owner="nobody", app="launcher")
    in_search.kvstore.create(name)
    in_launcher.kvstore.create(name)
    try:
        in_search.kvstore[name].data.insert({"_key": "a", "who": "search"})
        in_launcher.kvstore[name].data.insert({"_key": "a", "who": "launcher"})
        assert [r["who"] for r in in_search.kvstore[name].data.query()] == ["search"]
        assert [r["who"] for r in in_launcher.kvstore[name].data.query()] == ["launcher"]
    finally:
        in_search.kvstore.delete(name)
        in_launcher.kvstore.delete(name)
    assert name not in in_launcher.kvstore


def test_collection_configurations_refuse_a_user_context(sandbox: Sandbox) -> None:
    as_admin = connect(sandbox, owner="admin", app="search")
    with pytest.raises(binding.HTTPError) as caught:
        as_admin.get("storage/collections/config")
    assert caught.value.status == 400
    assert "Must use user context of 'nobody'" in str(caught.value)
    assert "used user='admin'" in str(caught.value)


# -- gap 7: ACLs ------------------------------------------------------------------------------------------
@pytest.fixture
def private_search(admin: client.Service) -> Iterator[client.SavedSearch]:
    name = _name("private")
    yield admin.saved_searches.create(name, "search index=web | head 1")
    for found in admin.saved_searches.list(search=f"name={name}"):
        found.delete()


def test_a_private_object_has_no_perms(private_search: client.SavedSearch) -> None:
    acl = private_search.access
    assert (acl.sharing, acl.owner) == ("user", "admin")
    assert acl.perms is None


def test_sharing_an_object_through_its_acl(
    private_search: client.SavedSearch, admin: client.Service, sandbox: Sandbox
) -> None:
    analyst = connect(sandbox, ANALYST, owner="analyst", app="search")
    assert private_search.name not in [s.name for s in analyst.saved_searches]
    private_search.acl_update(sharing="app", owner="nobody", **{"perms.read": "user,power", "perms.write": "admin"})
    acl = private_search.access
    assert (acl.sharing, acl.owner) == ("app", "nobody")
    assert acl.perms == {"read": ["user", "power"], "write": ["admin"]}
    assert private_search.name in [s.name for s in analyst.saved_searches]
    read_back = admin.get(f"saved/searches/{private_search.name}/acl", owner="nobody", app="search")
    assert b'<s:key name="sharing">app</s:key>' in read_back.body.read()


def test_only_writers_change_an_acl(private_search: client.SavedSearch, sandbox: Sandbox) -> None:
    private_search.acl_update(sharing="app", owner="nobody", **{"perms.read": "*", "perms.write": "admin"})
    analyst = connect(sandbox, ANALYST, owner="nobody", app="search")
    shared = analyst.saved_searches[private_search.name]
    with pytest.raises(binding.HTTPError) as caught:
        shared.acl_update(sharing="global", owner="nobody")
    assert caught.value.status == 403


# -- gap 8: event types -----------------------------------------------------------------------------------
def test_event_types_are_created_listed_in_properties_and_deleted(admin: client.Service) -> None:
    name = _name("web_errors")
    admin.event_types.create(name, search="index=web status>=500", description="5xx")
    try:
        created = admin.event_types[name]
        assert (created["search"], created["description"]) == ("index=web status>=500", "5xx")
        assert "eventtypes" in [c.name for c in admin.confs]
        assert name in [s.name for s in admin.confs["eventtypes"]]
    finally:
        admin.event_types.delete(name)
    assert name not in admin.event_types
    assert name not in [s.name for s in admin.confs["eventtypes"]]


# -- gap 9: one name, two namespaces -----------------------------------------------------------------------
def test_a_wildcard_namespace_returns_every_object_of_a_name(sandbox: Sandbox) -> None:
    name = _name("twice")
    in_search = connect(sandbox, owner="nobody", app="search")
    in_launcher = connect(sandbox, owner="nobody", app="launcher")
    in_search.saved_searches.create(name, "search index=web | head 1")
    in_launcher.saved_searches.create(name, "search index=main | head 1")
    try:
        everywhere = connect(sandbox, owner="-", app="-")
        with pytest.raises(client.AmbiguousReferenceException):
            everywhere.saved_searches[name]
        assert sorted(s.access.app for s in everywhere.saved_searches.list(search=f"name={name}")) == [
            "launcher",
            "search",
        ]
        assert in_launcher.saved_searches[name]["search"] == "search index=main | head 1"
        assert oneshot(in_search, f"| rest /servicesNS/-/-/saved/searches/{name} | stats count")[0]["count"] == "2"
    finally:
        in_search.saved_searches.delete(name)
        in_launcher.saved_searches.delete(name)
