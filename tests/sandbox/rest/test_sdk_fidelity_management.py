"""The management writes SDK users make in set-up, with their real effects (issue 15, gap 10): apps, indexes,
roles, users, macros, conf stanzas, stored passwords and server settings, each created, exercised and deleted
through splunklib, and refused with splunkd's 403 to a user without the capability."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, atom_entries, connect, oneshot, xml_messages


def _name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def splunk() -> Iterator[Sandbox]:
    """A sandbox of this module's own: its indexes, users and apps change."""
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def admin(splunk: Sandbox) -> client.Service:
    return connect(splunk, owner="nobody", app="search")


@pytest.fixture(scope="module")
def analyst(splunk: Sandbox) -> client.Service:
    return connect(splunk, ANALYST, owner="analyst", app="search")


def _forbidden(call: object, capability: str) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.status == 403
    assert xml_messages(caught.value.body)[0][1].endswith(f"(requires capability: {capability}).")


# -- apps --------------------------------------------------------------------------------------------------
def test_an_app_is_a_namespace_until_it_is_deleted(admin: client.Service, splunk: Sandbox) -> None:
    app = _name("app_")
    admin.apps.create(app, label="Fidelity", visible="false")
    assert (admin.apps[app]["label"], admin.apps[app]["visible"]) == ("Fidelity", "0")
    in_app = connect(splunk, owner="nobody", app=app)
    in_app.saved_searches.create("in the app", "search index=web | head 1")
    admin.apps.delete(app)
    assert app not in admin.apps
    everywhere = connect(splunk, owner="-", app="-")
    assert "in the app" not in [s.name for s in everywhere.saved_searches]


def test_apps_are_managed_by_admins_only(analyst: client.Service) -> None:
    _forbidden(lambda: analyst.apps.create(_name("app_")), "admin_all_objects")


# -- indexes -----------------------------------------------------------------------------------------------
def test_a_created_index_is_listed_with_its_settings_searchable_and_deletable(
    admin: client.Service, splunk: Sandbox
) -> None:
    name = _name("idx_")
    admin.indexes.create(name, maxTotalDataSizeMB="1024", frozenTimePeriodInSecs="86400")
    index = admin.indexes[name]
    assert (index["maxTotalDataSizeMB"], index["frozenTimePeriodInSecs"], index["totalEventCount"]) == (
        "1024",
        "86400",
        "0",
    )
    index.submit("action=created user=alice", sourcetype="fidelity")
    index.submit("action=deleted user=bob", sourcetype="fidelity")
    rows = oneshot(admin, f"search index={name} | stats count by user")
    assert {r["user"]: r["count"] for r in rows} == {"alice": "1", "bob": "1"}
    assert name in [s.name for s in admin.confs["indexes"]]
    admin.indexes.delete(name)
    assert name not in admin.indexes
    assert name not in [s.name for s in admin.confs["indexes"]]
    assert oneshot(admin, f"search index={name}") == []


def test_index_names_are_checked_and_writes_need_indexes_edit(admin: client.Service, analyst: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        admin.indexes.create("Bad Name")
    assert caught.value.status == 400
    _forbidden(lambda: analyst.indexes.create(_name("idx_")), "indexes_edit")


# -- roles and users ---------------------------------------------------------------------------------------
@pytest.fixture
def auditor(admin: client.Service) -> Iterator[tuple[str, str, str]]:
    """A role allowed the security index alone, and a user holding it: (role, user, password)."""
    role, user, password = _name("role_"), _name("user_"), "S3cret-" + uuid.uuid4().hex[:6]
    admin.roles.create(role, capabilities=["search"], srchIndexesAllowed="security", srchIndexesDefault="security")
    admin.users.create(user, password, [role], realname="Audit Or")
    yield role, user, password
    for users, name in ((admin.users, user), (admin.roles, role)):
        if name in users:
            users.delete(name)


def test_a_created_user_logs_in_with_the_rights_of_its_role(
    auditor: tuple[str, str, str], splunk: Sandbox, admin: client.Service
) -> None:
    role, user, password = auditor
    service = connect(splunk, (user, password), owner=user, app="search")
    assert service.users[user]["realname"] == "Audit Or"
    assert [i.name for i in service.indexes] == ["security"]
    assert sorted(admin.roles[role]["capabilities"]) == ["search"]
    expected = len(splunk.events("security"))
    counts = oneshot(service, "search index=* earliest=0 | stats count by index")
    assert counts == [{"index": "security", "count": str(expected)}]
    _forbidden(lambda: service.roles.create(_name("role_")), "edit_roles")


def test_a_deleted_user_is_logged_out_and_gone(
    auditor: tuple[str, str, str], splunk: Sandbox, admin: client.Service
) -> None:
    _, user, password = auditor
    service = connect(splunk, (user, password), autologin=False)
    admin.users.delete(user)
    assert user not in admin.users
    with pytest.raises(binding.AuthenticationError):
        service.apps.list()
    with pytest.raises(binding.AuthenticationError):
        connect(splunk, (user, password))


def test_users_need_edit_user_to_create_others(analyst: client.Service) -> None:
    _forbidden(lambda: analyst.users.create(_name("user_"), "pw-123456", ["user"]), "edit_user")


# -- macros and conf stanzas -------------------------------------------------------------------------------
def test_a_created_macro_expands_in_searches(admin: client.Service, splunk: Sandbox) -> None:
    name = _name("errors_")
    admin.macros.create(name, "index=web status>=500")
    try:
        expected = sum(1 for e in splunk.events("web") if int(e.raw.split('" ')[1].split()[0]) >= 500)
        assert oneshot(admin, f"search `{name}` earliest=0 | stats count") == [{"count": str(expected)}]
        admin.macros[name].update(definition="index=web status=404")
        assert admin.macros[name].definition == "index=web status=404"
    finally:
        admin.macros.delete(name)
    assert name not in admin.macros


def test_conf_files_and_stanzas_are_created_read_and_deleted(admin: client.Service, analyst: client.Service) -> None:
    name = _name("fidelity")
    conf = admin.confs.create(name)
    stanza = conf.create("endpoint", endpoint_url="https://example.test", retries="3")
    stanza.submit({"retries": "5"})
    assert name in [c.name for c in admin.confs]
    assert {k: admin.confs[name]["endpoint"][k] for k in ("endpoint_url", "retries")} == {
        "endpoint_url": "https://example.test",
        "retries": "5",
    }
    assert atom_entries(admin.get(f"properties/{name}").body.read()) == ["endpoint"]
    conf.delete("endpoint")
    assert "endpoint" not in [s.name for s in admin.confs[name]]
    _forbidden(lambda: analyst.confs["props"].create(_name("stanza")), "admin_all_objects")


# -- stored passwords and server settings -------------------------------------------------------------------
def test_stored_passwords_are_scoped_to_their_app_and_deletable(admin: client.Service, analyst: client.Service) -> None:
    username = _name("svc_")
    stored = admin.storage_passwords.create("hunter2-" + username, username, realm="vault")
    assert (stored.name, stored.clear_password, stored.realm) == (f"vault:{username}:", "hunter2-" + username, "vault")
    assert stored.encrypted_password.startswith("$7$")
    assert stored.encrypted_password.find("hunter2") < 0
    assert f"vault:{username}:" in [p.name for p in admin.storage_passwords]
    _forbidden(lambda: list(analyst.storage_passwords), "list_storage_passwords")
    admin.storage_passwords.delete(username, "vault")
    assert f"vault:{username}:" not in [p.name for p in admin.storage_passwords]


def test_server_settings_are_read_and_changed(admin: client.Service, analyst: client.Service) -> None:
    settings = admin.settings
    settings.update(sessionTimeout="2h")
    assert admin.settings["sessionTimeout"] == "2h"
    _forbidden(lambda: analyst.settings, "list_settings")
    _forbidden(lambda: analyst.post("/services/server/settings/settings", sessionTimeout="1m"), "edit_server")


def test_server_info_carries_license_keys(admin: client.Service) -> None:
    info = admin.info
    assert len(info["licenseKeys"]) == 1
    assert len(info["licenseKeys"][0]) == 64
    assert len(info["licenseSignature"]) == 32
