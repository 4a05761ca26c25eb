"""splunkd fidelity through splunklib as an SDK user drives it: job counts, the /services root, 401 before
404, the session cookie, boolean writes, saved-search defaults, schedule and suppression, the REST ``search=``
filter and SPL errors (issue 15, gaps 1, 2, 3, 5, 6 and 11)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import atom_entries, connect, wait_done

# savedsearches.conf defaults a recorded splunkd 6.0.4 lists for every saved search (splunkd-recordings).
RECORDED_DEFAULTS = {
    "dispatch.buckets": "0",
    "dispatch.lookups": "1",
    "dispatch.max_count": "500000",
    "dispatch.max_time": "0",
    "dispatch.reduce_freq": "10",
    "dispatch.spawn_process": "1",
    "dispatch.time_format": "%FT%T.%Q%:z",
    "dispatch.ttl": "2p",
    "alert.digest_mode": "1",
    "alert.track": "0",
    "auto_summarize.cron_schedule": "*/10 * * * *",
    "restart_on_searchpeer_add": "1",
}


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox, owner="admin", app="search")


@pytest.fixture
def saved_search(service: client.Service) -> Iterator[client.SavedSearch]:
    name = f"fidelity {uuid.uuid4().hex[:8]}"
    yield service.saved_searches.create(name, "search index=web | head 5")
    if name in service.saved_searches:
        service.saved_searches.delete(name)


# -- gap 1: job counts ------------------------------------------------------------------------------------
def test_event_count_is_what_the_event_pipeline_returned(service: client.Service) -> None:
    job = wait_done(service.jobs.create("search index=_internal | head 10"))
    assert int(job["eventCount"]) == 10
    assert int(job["resultCount"]) == 10


def test_event_count_before_a_report_is_every_matching_event(service: client.Service, sandbox: Sandbox) -> None:
    expected = sum(1 for e in sandbox.events("security") if "Failed password" in e.raw)
    job = wait_done(service.jobs.create('search index=security "Failed password" earliest=0 | stats count'))
    assert int(job["eventCount"]) == expected
    assert int(job["resultCount"]) == 1


# -- gap 2: the /services root and anonymous calls --------------------------------------------------------
def test_the_services_root_lists_the_top_level_areas(service: client.Service) -> None:
    titles = set(atom_entries(service.get("").body.read()))
    # The areas a splunkd 4.3 root listing already had (splunk-sdk-python's tests/services.xml), that we serve.
    assert {"alerts", "apps", "authentication", "authorization", "configs", "data", "saved", "search"} <= titles
    assert {"server", "messages"} <= titles


@pytest.mark.parametrize("method", ["post", "delete", "get"])
def test_anonymous_calls_are_401_even_on_unknown_paths(sandbox: Sandbox, method: str) -> None:
    anonymous = client.Service(host=sandbox.host, port=sandbox.port, scheme=sandbox.scheme)
    with pytest.raises(binding.AuthenticationError):
        getattr(anonymous, method)("no/such/endpoint")
    with pytest.raises(binding.AuthenticationError):
        getattr(anonymous, method)("saved/searches/anything")


# -- gap 3: the session cookie ----------------------------------------------------------------------------
def test_login_sets_the_splunkd_port_cookie_and_splunklib_uses_it(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    cookies = service.get_cookies()
    assert list(cookies) == [f"splunkd_{sandbox.port}"]
    assert service._auth_headers == [("Cookie", f"splunkd_{sandbox.port}={cookies[f'splunkd_{sandbox.port}']}")]
    cookie_only = client.connect(
        host=sandbox.host,
        port=sandbox.port,
        scheme=sandbox.scheme,
        cookie=f"splunkd_{sandbox.port}={cookies[f'splunkd_{sandbox.port}']}",
    )
    assert "search" in [app.name for app in cookie_only.apps]


# -- gap 5: booleans ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sent", "read_back"), [("False", "0"), ("true", "1"), ("0", "0"), ("yes", "1")])
def test_boolean_settings_read_back_as_1_or_0(saved_search: client.SavedSearch, sent: str, read_back: str) -> None:
    saved_search.update(is_visible=sent).refresh()
    assert saved_search["is_visible"] == read_back


def test_a_value_that_is_no_boolean_is_refused_naming_the_argument(saved_search: client.SavedSearch) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        saved_search.update(is_visible="perhaps")
    assert caught.value.status == 400
    assert "is_visible" in str(caught.value)


# -- gap 6: saved-search defaults, schedule, suppression -------------------------------------------------
def test_a_new_saved_search_lists_the_savedsearches_conf_defaults(saved_search: client.SavedSearch) -> None:
    assert {key: saved_search[key] for key in RECORDED_DEFAULTS} == RECORDED_DEFAULTS


def test_scheduled_times_follow_the_cron_schedule(saved_search: client.SavedSearch) -> None:
    saved_search.update(cron_schedule="*/15 * * * *", is_scheduled="1").refresh()
    start = int(time.time()) // 900 * 900 + 1  # just after a quarter hour
    times = saved_search.scheduled_times(earliest_time=str(start), latest_time=str(start + 7200))
    # Every quarter hour in the two hours, computed from the bounds alone.
    assert times == [datetime.fromtimestamp(t) for t in range(start - 1 + 900, start + 7200, 900)]


def test_an_unscheduled_search_has_no_scheduled_times(saved_search: client.SavedSearch) -> None:
    assert saved_search.scheduled_times() == []


def test_suppressing_and_lifting_alerts(saved_search: client.SavedSearch) -> None:
    assert saved_search.suppressed == 0
    saved_search.suppress(600)
    assert 590 <= saved_search.suppressed <= 600
    saved_search.unsuppress()
    assert saved_search.suppressed == 0


# -- gap 11: the REST search filter and SPL errors --------------------------------------------------------
def test_the_rest_search_filter_understands_not(service: client.Service, sandbox: Sandbox) -> None:
    names = {i.name for i in service.indexes.list(search="NOT name=_*")}
    expected = {name for name in sandbox.state.indexes if not name.startswith("_")}
    assert names == expected
    assert {i.name for i in service.indexes.list(search="name=_*")} == set(sandbox.state.indexes) - expected


@pytest.mark.parametrize("query", ["search index=web | stats count by", "search index=web | chart count by"])
def test_a_by_clause_without_fields_is_an_error(service: client.Service, query: str) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        service.jobs.create(query)
    assert caught.value.status == 400
    assert "by" in str(caught.value)
