"""data/indexes: list, get, refresh, paging and JSON, with figures computed from the indexed events."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Event, Sandbox, SandboxOptions
from tests.sandbox.rest.support import connect, raw_client, xml_messages

SAMPLE_INDEXES = ["_audit", "_internal", "history", "main", "security", "summary", "web"]


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


def _splunkd_time(epoch: float) -> str:
    # splunkd writes index bounds as local time with a numeric offset and no colon: 2014-06-28T07:01:38-0700
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


def _expected(events: list[Event]) -> dict[str, str]:
    size = sum(len(e.raw.encode()) for e in events)
    return {
        "totalEventCount": str(len(events)),
        "currentDBSizeMB": str(math.ceil(size / 2**20)),
        "minTime": _splunkd_time(min(e.time for e in events)),
        "maxTime": _splunkd_time(max(e.time for e in events)),
    }


def test_admin_lists_every_sample_index(service: client.Service) -> None:
    names = [i.name for i in service.indexes]
    assert set(SAMPLE_INDEXES) <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("name", ["main", "web", "security", "_internal"])
def test_index_figures_match_the_indexed_events(sandbox: Sandbox, service: client.Service, name: str) -> None:
    index = service.indexes[name]
    expected = _expected(sandbox.events(name))
    assert {key: index[key] for key in expected} == expected


def test_listed_figures_equal_those_of_single_reads(sandbox: Sandbox, service: client.Service) -> None:
    listed = {i.name: i for i in service.indexes.list()}
    for name in ("main", "web", "security"):
        assert listed[name]["totalEventCount"] == str(len(sandbox.events(name)))


def test_empty_indexes_report_zero_events_and_no_time_bounds(service: client.Service) -> None:
    history = service.indexes["history"]
    assert history["totalEventCount"] == "0"
    assert history["currentDBSizeMB"] == "0"
    assert history["minTime"] is None
    assert history["maxTime"] is None


def test_internal_indexes_are_flagged_and_system_owned(service: client.Service) -> None:
    internal, web = service.indexes["_internal"], service.indexes["web"]
    assert internal["isInternal"] == "1"
    assert web["isInternal"] == "0"
    assert internal.access.sharing == "system"
    assert web.access.app == "search"


def test_refresh_goes_through_the_entries_namespace(service: client.Service) -> None:
    for name in ("web", "_internal"):
        index = service.indexes[name]
        before = index["totalEventCount"]
        index.refresh()
        assert index["totalEventCount"] == before


def test_new_events_show_in_the_figures() -> None:
    stamp = 1_700_000_000.0
    with Sandbox(SandboxOptions(sample_data=False)) as own:  # not the shared sandbox: index=* must not change
        own.add_events("fresh", ["first line", "second, longer line"], time_=stamp)
        own.add_events("fresh", [Event(stamp + 60, "later", "fresh", "h", "s", "st")])
        index = connect(own).indexes["fresh"]
    assert index["totalEventCount"] == "3"
    assert index["minTime"] == _splunkd_time(stamp)
    assert index["maxTime"] == _splunkd_time(stamp + 60)
    assert index["currentDBSizeMB"] == "1"


def test_paging_reassembles_the_full_list(service: client.Service) -> None:
    everything = [i.name for i in service.indexes.list()]
    paged = [i.name for i in service.indexes.iter(pagesize=2)]
    assert paged == everything
    assert [i.name for i in service.indexes.list(count=2, offset=3)] == everything[3:5]


def test_the_search_filter_and_json_mode(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        document = http.get(
            "/services/data/indexes", params={"output_mode": "json", "search": "isInternal=1", "count": 0}
        ).json()
    assert {e["name"] for e in document["entry"]} == {"_audit", "_internal"}
    assert document["paging"]["total"] == 2
    entry = document["entry"][0]
    assert entry["acl"]["sharing"] == "system"
    assert entry["content"]["isInternal"] is True
    assert isinstance(entry["content"]["totalEventCount"], int)


def test_an_unknown_index_is_a_key_error_and_a_404(sandbox: Sandbox, service: client.Service) -> None:
    with pytest.raises(KeyError):
        service.indexes["no_such_index"]
    with raw_client(sandbox) as http:
        response = http.get("/services/data/indexes/no_such_index")
    assert response.status_code == 404
    assert xml_messages(response.content) == [("ERROR", "In handler 'indexes': Could not find object id=no_such_index")]


def test_index_time_bounds_are_in_the_past(sandbox: Sandbox, service: client.Service) -> None:
    web = service.indexes["web"]
    newest = datetime.strptime(web["maxTime"], "%Y-%m-%dT%H:%M:%S%z").timestamp()
    assert newest <= time.time()
    assert newest == int(sandbox.events("web")[-1].time)
