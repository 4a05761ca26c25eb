"""Role restrictions: the analyst (role ``user``: indexes main and web) never reaches security or _internal.

Every path to events is tried: searches, wildcards, subsearches, jobs, export, ``| rest``, ``| metadata``,
``| tstats``, ``| eventcount``, data/indexes; and admin-only objects stay out of reach.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Event, Sandbox
from tests.sandbox.rest.support import ANALYST, connect, final_rows, oneshot, wait_done

ALLOWED = ("main", "web")
FORBIDDEN = ("security", "_internal")
ALL_TIME = {"earliest_time": "0"}


@pytest.fixture(scope="module")
def analyst(sandbox: Sandbox) -> client.Service:
    return connect(sandbox, ANALYST)


def _allowed_events(sandbox: Sandbox) -> list[Event]:
    return [e for name in ALLOWED for e in sandbox.events(name)]


def _forbidden_raws(sandbox: Sandbox) -> set[str]:
    return {e.raw for name in FORBIDDEN for e in sandbox.events(name)}


@pytest.mark.parametrize(
    "spl",
    [
        "search index=security",
        "search index=_internal",
        "search index=_*",
        'search index=security OR index=_internal "Failed password"',
        "search sourcetype=linux_secure",
        "search sourcetype=splunkd index=*",
    ],
)
def test_searches_for_forbidden_indexes_find_nothing(analyst: client.Service, spl: str) -> None:
    assert oneshot(analyst, spl, **ALL_TIME) == []


def test_index_star_counts_only_the_allowed_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "search index=* | stats count by index", **ALL_TIME)
    expected = Counter(e.index for e in _allowed_events(sandbox))
    assert {r["index"]: int(r["count"]) for r in rows} == dict(expected)


def test_the_analyst_sees_all_of_its_own_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "search index=main OR index=web OR index=security | stats count", **ALL_TIME)
    assert rows == [{"count": str(len(_allowed_events(sandbox)))}]


def test_no_forbidden_raw_line_ever_comes_back(sandbox: Sandbox, analyst: client.Service) -> None:
    forbidden = _forbidden_raws(sandbox)
    # web-01 writes both access logs (web) and sshd logs (security): a host filter must not leak the latter.
    rows = oneshot(analyst, "search index=* host=web-01 | fields _raw", **ALL_TIME)
    assert rows
    assert not forbidden & {r["_raw"] for r in rows}


def test_a_subsearch_cannot_reach_a_forbidden_index(sandbox: Sandbox, analyst: client.Service) -> None:
    spl = "search index=web [search index=security | head 50 | fields host] | stats count"
    # For the admin the subsearch keeps the web events of the hosts of the newest security events...
    hosts = {e.host for e in sandbox.events("security")[-50:]}
    expected = sum(1 for e in sandbox.events("web") if e.host in hosts)
    assert 0 < expected < len(sandbox.events("web"))
    assert oneshot(connect(sandbox), spl, **ALL_TIME) == [{"count": str(expected)}]
    # ...for the analyst it finds nothing, and an empty subsearch (NOT ()) filters nothing, as in Splunk.
    assert oneshot(analyst, spl, **ALL_TIME) == [{"count": str(len(sandbox.events("web")))}]


def test_jobs_and_export_are_restricted_as_well(sandbox: Sandbox, analyst: client.Service) -> None:
    job = wait_done(analyst.jobs.create("search index=security OR index=_internal | stats count", **ALL_TIME))
    assert final_rows(job.results(output_mode="json")) == [{"count": "0"}]
    exported = final_rows(analyst.jobs.export("search index=* | stats count by index", output_mode="json", **ALL_TIME))
    assert {r["index"] for r in exported} == set(ALLOWED)


def test_rest_data_indexes_lists_only_the_allowed_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "| rest /services/data/indexes | table title totalEventCount")
    assert {r["title"]: int(r["totalEventCount"]) for r in rows} == {n: len(sandbox.events(n)) for n in ALLOWED}


@pytest.mark.parametrize("kind", ["hosts", "sources", "sourcetypes"])
def test_metadata_counts_only_the_allowed_events(sandbox: Sandbox, analyst: client.Service, kind: str) -> None:
    field = kind.removesuffix("s")
    rows = oneshot(analyst, f"| metadata type={kind} index=*", **ALL_TIME)
    expected = Counter(getattr(e, field) for e in _allowed_events(sandbox))
    assert {r[field]: int(r["totalCount"]) for r in rows} == dict(expected)
    assert oneshot(analyst, f"| metadata type={kind} index=security", **ALL_TIME) == []


def test_tstats_counts_only_the_allowed_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "| tstats count where index=* by index", **ALL_TIME)
    assert {r["index"]: int(r["count"]) for r in rows} == {n: len(sandbox.events(n)) for n in ALLOWED}
    assert oneshot(analyst, "| tstats count where index=security", **ALL_TIME) == [{"count": "0"}]
    assert oneshot(analyst, "| tstats count where index=_internal by sourcetype", **ALL_TIME) == []


def test_eventcount_counts_only_the_allowed_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "| eventcount summarize=false index=*")
    assert {r["index"]: int(r["count"]) for r in rows} == {n: len(sandbox.events(n)) for n in ALLOWED}
    assert oneshot(analyst, "| eventcount summarize=false index=security index=_internal") == []
    assert oneshot(analyst, "| eventcount index=_*") == [{"count": "0"}]


def test_data_indexes_hides_the_forbidden_indexes(analyst: client.Service) -> None:
    assert [i.name for i in analyst.indexes] == list(ALLOWED)
    for name in FORBIDDEN:
        with pytest.raises(KeyError):
            analyst.indexes[name]


def test_rest_cannot_read_admin_only_objects(analyst: client.Service) -> None:
    users = oneshot(analyst, "| rest /services/authentication/users | table title")
    assert users == [{"title": "analyst"}]
    with pytest.raises(binding.HTTPError) as caught:
        oneshot(analyst, "| rest /services/configs/conf-server")
    assert caught.value.status == 400
    assert b"Failed to fetch REST endpoint uri=/services/configs/conf-server" in caught.value.body


def test_a_search_job_reading_a_forbidden_endpoint_fails_instead_of_hanging(analyst: client.Service) -> None:
    job = wait_done(analyst.jobs.create("| rest /services/configs/conf-server"))
    assert job["dispatchState"] == "FAILED"
    assert job["isFailed"] == "1"
    assert "Failed to fetch REST endpoint" in job["messages"]["fatal"][0]


def test_the_analyst_cannot_read_other_users_or_server_settings(analyst: client.Service) -> None:
    assert [u.name for u in analyst.users] == ["analyst"]
    with pytest.raises(KeyError):
        analyst.users["admin"]
    with pytest.raises(binding.HTTPError) as caught:
        analyst.confs["server"]["general"]
    assert caught.value.status == 403


def test_a_custom_role_grants_exactly_its_indexes(sandbox: Sandbox) -> None:
    role, user = f"soc_{uuid.uuid4().hex[:6]}", f"soc-{uuid.uuid4().hex[:6]}"
    sandbox.add_role(role, indexes_allowed=("security",), indexes_default=("security",))
    sandbox.add_user(user, "pw", (role,))
    soc = connect(sandbox, (user, "pw"))
    assert [i.name for i in soc.indexes] == ["security"]
    rows = oneshot(soc, "search index=* | stats count by index", **ALL_TIME)
    assert rows == [{"index": "security", "count": str(len(sandbox.events("security")))}]
    assert oneshot(soc, "search | stats count", **ALL_TIME) == [{"count": str(len(sandbox.events("security")))}]


def test_the_default_search_covers_only_the_default_indexes(sandbox: Sandbox, analyst: client.Service) -> None:
    rows = oneshot(analyst, "search * | stats count by index", **ALL_TIME)
    assert rows == [{"index": "main", "count": str(len(sandbox.events("main")))}]
