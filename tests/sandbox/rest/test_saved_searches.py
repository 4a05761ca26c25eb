"""saved/searches (CRUD, names with spaces, namespaces, dispatch, alerts, history) and alerts/fired_alerts."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from mcp_splunk.sandbox.objects import KnowledgeObject, Namespace
from mcp_splunk.sandbox.rest.entries import Acl
from tests.sandbox.rest.support import (
    ADMIN,
    ANALYST,
    access_fields,
    connect,
    final_rows,
    in_window,
    oneshot,
    raw_client,
    time_window,
    wait_done,
    xml_messages,
)

SAMPLE = ["Failed logins by source", "Top URIs", "Web errors by host"]


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


_created: list[str] = []


def _name(prefix: str = "Saved search") -> str:
    name = f"{prefix} {uuid.uuid4().hex[:8]}"
    _created.append(name)
    return name


@pytest.fixture(autouse=True)
def _remove_created_saved_searches(sandbox: Sandbox) -> Iterator[None]:
    """Leave the shared sandbox's saved searches as they were, whatever a test created under any owner."""
    yield
    admin = sandbox.state.accounts.user("admin")
    assert admin is not None
    while _created:
        name = _created.pop()
        for obj in [o for o in sandbox.state.saved_searches.all() if o.name == name]:
            sandbox.state.saved_searches.delete(name, admin, Namespace(obj.acl.namespace_owner, obj.acl.app))


def _alerts_of(service: client.Service, name: str) -> list[client.Entity]:
    for group in service.fired_alerts:
        if group.name == name:
            return list(group.alerts)
    return []


def test_the_sample_saved_searches_are_listed_with_their_settings(service: client.Service) -> None:
    saved = {s.name: s for s in service.saved_searches}
    assert set(SAMPLE) <= set(saved)
    failed = saved["Failed logins by source"]
    assert failed["is_scheduled"] == "1"
    assert failed["cron_schedule"] == "*/15 * * * *"
    assert failed["search"].startswith("search index=security")
    assert saved["Top URIs"]["is_scheduled"] == "0"
    assert failed.access.app == "search"


def test_a_name_with_spaces_is_read_through_plus_and_percent_encoding(
    sandbox: Sandbox, service: client.Service
) -> None:
    assert (
        service.saved_searches["Web errors by host"]["search"] == "search index=web status>=500 | stats count by host"
    )
    with raw_client(sandbox) as http:
        for path in ("Web+errors+by+host", "Web%20errors%20by%20host"):
            response = http.get(f"/servicesNS/-/-/saved/searches/{path}", params={"output_mode": "json"})
            assert response.status_code == 200, path
            assert response.json()["entry"][0]["name"] == "Web errors by host"


def test_create_update_and_delete_a_saved_search(service: client.Service) -> None:
    name = _name()
    created = service.saved_searches.create(name, "index=web status=404 | stats count", description="first")
    assert created.name == name
    assert service.saved_searches[name]["description"] == "first"
    assert service.saved_searches[name]["qualifiedSearch"] == "search index=web status=404 | stats count"
    service.saved_searches[name].update(description="second", search="index=web status=500").refresh()
    updated = service.saved_searches[name]
    assert updated["description"] == "second"
    assert updated["search"] == "index=web status=500"
    service.saved_searches.delete(name)
    assert name not in service.saved_searches


def test_creating_a_duplicate_name_is_refused(service: client.Service) -> None:
    name = _name()
    service.saved_searches.create(name, "index=web")
    with pytest.raises(binding.HTTPError) as caught:
        service.saved_searches.create(name, "index=main")
    assert caught.value.status == 409
    service.saved_searches.delete(name)


def test_a_saved_search_with_bad_spl_is_refused(service: client.Service) -> None:
    name = _name()
    with pytest.raises(binding.HTTPError) as caught:
        service.saved_searches.create(name, "index=web | notacommand")
    assert caught.value.status == 400
    assert "Unknown search command 'notacommand'." in str(caught.value)
    assert name not in service.saved_searches


def test_an_unsupported_argument_is_refused(service: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        service.saved_searches.create(_name(), "index=web", bogus_setting="1")
    assert caught.value.status == 400


def test_a_private_saved_search_is_its_owners_only(sandbox: Sandbox) -> None:
    mine = connect(sandbox, owner="admin", app="search")
    analyst = connect(sandbox, ANALYST)
    name = _name("Private")
    mine.saved_searches.create(name, "index=main")
    assert mine.saved_searches[name].access.sharing == "user"
    assert mine.saved_searches[name].access.owner == "admin"
    assert name not in [s.name for s in analyst.saved_searches]
    assert name not in analyst.saved_searches
    mine.saved_searches.delete(name)


def test_a_saved_search_shared_in_an_app_is_seen_by_everyone_in_that_app(sandbox: Sandbox) -> None:
    shared = connect(sandbox, owner="nobody", app="search")
    analyst = connect(sandbox, ANALYST, owner="analyst", app="search")
    name = _name("Shared")
    shared.saved_searches.create(name, "index=main")
    assert shared.saved_searches[name].access.sharing == "app"
    assert analyst.saved_searches[name]["search"] == "index=main"
    other_app = connect(sandbox, owner="nobody", app="launcher")
    assert name not in other_app.saved_searches
    shared.saved_searches.delete(name)


def test_the_analyst_cannot_change_or_delete_an_admins_saved_search(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST)
    with pytest.raises(binding.HTTPError) as caught:
        analyst.saved_searches["Top URIs"].update(description="mine now")
    assert caught.value.status == 403
    with pytest.raises(binding.HTTPError):
        analyst.saved_searches.delete("Top URIs")
    assert "Top URIs" in connect(sandbox).saved_searches


def test_dispatch_runs_the_saved_search_over_the_given_range(sandbox: Sandbox, service: client.Service) -> None:
    earliest, latest = time_window(sandbox, "web")
    job = service.saved_searches["Web errors by host"].dispatch(
        **{"dispatch.earliest_time": str(earliest), "dispatch.latest_time": str(latest)}
    )
    assert job.sid.startswith("admin__")
    assert "RMD5" in job.sid
    wait_done(job)
    fields = access_fields(in_window(sandbox.events("web"), earliest, latest))
    expected = Counter(f["host"] for f in fields if int(f["status"]) >= 500)
    rows = final_rows(job.results(output_mode="json", count=0))
    assert {r["host"]: int(r["count"]) for r in rows} == dict(expected)
    assert job["isSavedSearch"] == "1"
    assert job["label"] == "Web errors by host"


def test_dispatch_substitutes_args_tokens(sandbox: Sandbox, service: client.Service) -> None:
    name = _name("Tokens")
    service.saved_searches.create(name, "| makeresults count=$n$ | stats count")
    job = wait_done(service.saved_searches[name].dispatch(**{"args.n": "6"}))
    assert final_rows(job.results(output_mode="json")) == [{"count": "6"}]
    service.saved_searches.delete(name)


def test_dispatch_with_trigger_actions_records_a_fired_alert(service: client.Service) -> None:
    name = _name("Alerting")
    service.saved_searches.create(
        name,
        "| makeresults count=3",
        alert_type="number of results",
        alert_comparator="greater than",
        alert_threshold="2",
        **{"alert.severity": "5"},
    )
    job = wait_done(service.saved_searches[name].dispatch(trigger_actions=1))
    [alert] = _alerts_of(service, name)
    assert alert.name == job.sid
    assert alert["savedsearch_name"] == name
    assert alert["severity"] == "5"
    assert service.saved_searches[name]["triggered_alert_count"] == "1"


def test_dispatch_without_trigger_actions_records_no_alert(service: client.Service) -> None:
    name = _name("Quiet")
    service.saved_searches.create(name, "| makeresults count=3", alert_type="always")
    wait_done(service.saved_searches[name].dispatch())
    assert _alerts_of(service, name) == []
    assert service.saved_searches[name]["triggered_alert_count"] == "0"


def test_a_condition_that_does_not_hold_fires_no_alert(service: client.Service) -> None:
    name = _name("Unmet")
    service.saved_searches.create(
        name,
        "| makeresults count=3",
        alert_type="number of results",
        alert_comparator="greater than",
        alert_threshold="3",
    )
    wait_done(service.saved_searches[name].dispatch(trigger_actions=1))
    assert _alerts_of(service, name) == []


def test_history_lists_the_jobs_of_a_saved_search(service: client.Service) -> None:
    name = _name("History")
    service.saved_searches.create(name, "| makeresults")
    saved = service.saved_searches[name]
    sids = {wait_done(saved.dispatch()).sid for _ in range(2)}
    assert {job.name for job in saved.history()} == sids


def test_fired_alert_groups_count_their_alerts(service: client.Service) -> None:
    groups = {group.name: group for group in service.fired_alerts}
    assert "-" in groups
    named = {name: list(g.alerts) for name, g in groups.items() if name != "-"}
    assert "Failed logins by source" in named
    for name, alerts in named.items():
        assert int(groups[name].count) == len(alerts)
        assert {a["savedsearch_name"] for a in alerts} == {name}
    assert int(groups["-"].count) == sum(len(a) for a in named.values())
    assert {a.name for a in groups["-"].alerts} == {a.name for alerts in named.values() for a in alerts}


def test_a_scheduled_saved_search_reads_its_fired_alerts(sandbox: Sandbox, service: client.Service) -> None:
    saved = service.saved_searches["Failed logins by source"]
    alerts = list(saved.fired_alerts)
    assert alerts
    assert saved["triggered_alert_count"] == str(len(alerts))
    started = sandbox.state.started
    assert all(started - 86400 < int(a["trigger_time"]) <= started for a in alerts)


def test_the_fired_alerts_of_an_unknown_search_are_a_404(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.get("/services/alerts/fired_alerts/No%20such%20search")
    assert response.status_code == 404
    assert xml_messages(response.content) == [
        ("ERROR", "In handler 'savedsearch': Could not find object id=No such search")
    ]


def test_objects_are_identified_by_name_app_and_owner(sandbox: Sandbox) -> None:
    name = _name("Same name")
    second = f"second-{uuid.uuid4().hex[:6]}"
    sandbox.add_user(second, "pw", ("user",))
    admin = connect(sandbox, owner="admin", app="search")
    other = connect(sandbox, (second, "pw"), owner=second, app="search")
    shared = connect(sandbox, owner="nobody", app="search")
    admin.saved_searches.create(name, "index=main")
    other.saved_searches.create(name, "index=web")
    shared.saved_searches.create(name, "index=security")
    # Each namespace reads its most specific object: the caller's private one before the app's shared one.
    assert admin.saved_searches[name]["search"] == "index=main"
    assert other.saved_searches[name]["search"] == "index=web"
    assert shared.saved_searches[name]["search"] == "index=security"
    everyone = connect(sandbox, owner="-", app="-")
    owners = sorted(s.access.owner for s in everyone.saved_searches.list() if s.name == name)
    assert owners == sorted(["admin", "nobody", second])
    other.saved_searches.delete(name)
    assert admin.saved_searches[name]["search"] == "index=main"
    assert (
        connect(sandbox, (second, "pw"), owner=second, app="search").saved_searches[name]["search"] == "index=security"
    )
    admin.saved_searches.delete(name)
    shared.saved_searches.delete(name)
    assert name not in admin.saved_searches


# -- who may share, and whose rights a saved search runs with ------------------------------------------------
def test_a_user_without_app_write_rights_cannot_create_a_shared_saved_search(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST, owner="nobody", app="search")
    with pytest.raises(binding.HTTPError) as raised:
        analyst.saved_searches.create(_name("Shared by analyst"), "search index=main | head 1")
    assert raised.value.status == 403


def test_a_user_can_create_a_private_saved_search_in_their_own_namespace(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST, owner="analyst", app="search")
    name = _name("Private to analyst")
    created = analyst.saved_searches.create(name, "search index=main | head 1")
    try:
        assert created.access.owner == "analyst"
        assert created.access.sharing == "user"
    finally:
        analyst.saved_searches.delete(name)


def test_a_saved_search_runs_with_its_owners_rights_unless_it_says_otherwise(sandbox: Sandbox) -> None:
    spl = "search index=security | stats count"
    as_owner, as_user = _name("Owner rights"), _name("User rights")
    for name, dispatch_as in ((as_owner, "owner"), (as_user, "user")):  # admin's, shared in the app
        acl = Acl(owner="admin", app="search", sharing="app", removable=True)
        sandbox.state.saved_searches.put(KnowledgeObject(name, acl, {"search": spl, "dispatchAs": dispatch_as}))
    admin = connect(sandbox, ADMIN, owner="nobody", app="search")
    security_events = len(sandbox.events("security"))
    try:
        analyst = connect(sandbox, ANALYST, owner="nobody", app="search")
        counts = {}
        for name in (as_owner, as_user):
            job = wait_done(analyst.saved_searches[name].dispatch(**{"dispatch.earliest_time": "0"}))
            counts[name] = int(final_rows(job.results(output_mode="json"))[0]["count"])
        assert counts[as_owner] == security_events > 0  # admin's rights: the security index is searched
        assert counts[as_user] == 0  # the analyst's own rights: it is not
        assert oneshot(analyst, spl, earliest_time="0") == [{"count": "0"}]
    finally:
        admin.saved_searches.delete(as_owner)
        admin.saved_searches.delete(as_user)


def test_a_job_keeps_the_ttl_given_as_timeout_and_a_dispatch_keeps_dispatch_ttl(sandbox: Sandbox) -> None:
    service = connect(sandbox, ADMIN, owner="nobody", app="search")
    job = wait_done(service.jobs.create("search index=main | head 1", timeout=1234))
    assert job["ttl"] == "1234"
    saved = wait_done(service.saved_searches["Top URIs"].dispatch(**{"dispatch.ttl": "4321"}))
    assert saved["ttl"] == "4321"
