"""search/v2/jobs and search/jobs: create in every exec_mode, status, results paging, control, list, parser."""

from __future__ import annotations

import csv
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.sandbox.rest.support import (
    ANALYST,
    access_fields,
    connect,
    final_rows,
    in_window,
    oneshot,
    raw_client,
    time_window,
    wait_done,
    wait_for,
)

ATOM = "{http://www.w3.org/2005/Atom}"
HTTP_STATUS_CSV = resources.files("mcp_splunk.sandbox.data").joinpath("lookups", "http_status.csv")
HTTP_STATUSES = [row["status"] for row in csv.DictReader(HTTP_STATUS_CSV.read_text().splitlines())]
REST = "{http://dev.splunk.com/ns/rest}"


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


@pytest.fixture(scope="module")
def v1_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(version="9.0.1")) as running:
        yield running


@pytest.fixture(scope="module")
def v1_service(v1_sandbox: Sandbox) -> client.Service:
    service = connect(v1_sandbox)
    assert service.disable_v2_api
    return service


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(job_latency=1.0, sample_data=False)) as running:
        yield running


def _web_404s(sandbox: Sandbox) -> tuple[str, dict[str, str], list[str]]:
    """A search for the 404s of a window, its time arguments, and the raw lines it must find (newest first)."""
    earliest, latest = time_window(sandbox, "web")
    events = in_window(sandbox.events("web"), earliest, latest)
    raws = [e.raw for e, f in zip(events, access_fields(events), strict=True) if f["status"] == "404"]
    times = {"earliest_time": str(earliest), "latest_time": str(latest)}
    return "search index=web status=404", times, list(reversed(raws))


def _results(job: client.Job, endpoint: str = "results", **params: Any) -> list[dict[str, Any]]:
    stream = getattr(job, endpoint)(output_mode="json", **params)
    return final_rows(stream)


# -- create ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_a_normal_job_finds_exactly_the_matching_events(request: pytest.FixtureRequest, fixture: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    owner: Sandbox = request.getfixturevalue("v1_sandbox" if fixture == "v1_service" else "sandbox")
    spl, times, expected = _web_404s(owner)
    job = wait_done(svc.jobs.create(spl, **times))
    rows = _results(job, count=0)
    assert [r["_raw"] for r in rows] == expected
    assert job["resultCount"] == str(len(expected))
    assert job["eventCount"] == str(len(expected))
    assert job["dispatchState"] == "DONE"
    assert job["isFailed"] == "0"


@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_a_blocking_job_is_done_when_create_returns(request: pytest.FixtureRequest, fixture: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    job = svc.jobs.create("| makeresults count=7 | eval n=1 | stats sum(n) AS total", exec_mode="blocking")
    job.refresh()
    assert job["isDone"] == "1"
    assert _results(job) == [{"total": "7"}]


@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_a_oneshot_answers_the_results_directly_and_pages(request: pytest.FixtureRequest, fixture: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    spl = "| inputlookup http_status.csv | table status"
    assert [r["status"] for r in oneshot(svc, spl)] == HTTP_STATUSES
    page = final_rows(svc.jobs.oneshot(spl, output_mode="json", count=5, offset=4))
    assert [r["status"] for r in page] == HTTP_STATUSES[4:9]


def test_a_oneshot_returns_a_hundred_rows_unless_told(service: client.Service) -> None:
    rows = final_rows(service.jobs.oneshot("| makeresults count=150", output_mode="json"))
    assert len(rows) == 100


def test_a_job_may_be_given_its_sid(service: client.Service) -> None:
    sid = f"my-sid-{uuid.uuid4().hex[:8]}"
    job = wait_done(service.jobs.create("| makeresults", id=sid))
    assert job.sid == sid
    assert service.job(sid)["sid"] == sid


def test_the_create_answer_is_a_sid_document_in_xml_and_json(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        xml = http.post("/services/search/v2/jobs", data={"search": "| makeresults"})
        as_json = http.post("/services/search/v2/jobs", data={"search": "| makeresults", "output_mode": "json"})
    assert xml.status_code == 201
    root = ET.fromstring(xml.content)
    assert root.tag == "response"
    assert root.findtext("sid")
    assert as_json.status_code == 201
    assert set(as_json.json()) == {"sid"}


def test_the_create_answer_locates_the_new_job_and_the_location_answers_its_status(sandbox: Sandbox) -> None:
    sid = f"located/{uuid.uuid4().hex[:8]}"  # a "/" in a caller-chosen sid must arrive encoded
    with raw_client(sandbox) as http:
        created = http.post("/services/search/v2/jobs", data={"search": "| makeresults", "id": sid})
        status = http.get(created.headers["location"])
        blocking = http.post("/services/search/jobs", data={"search": "| makeresults", "exec_mode": "blocking"})
    assert created.status_code == 201
    assert created.headers["location"] == "/services/search/jobs/" + sid.replace("/", "%2F")
    assert status.status_code == 200
    keys = {k.get("name"): k.text for k in ET.fromstring(status.content).iter(f"{REST}key")}
    assert keys["sid"] == sid
    blocking_sid = ET.fromstring(blocking.content).findtext("sid")
    assert blocking.headers["location"] == f"/services/search/jobs/{blocking_sid}"


# -- status ----------------------------------------------------------------------------------------------
def test_job_status_is_a_bare_atom_entry_with_the_acl(sandbox: Sandbox, service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults count=2"))
    with raw_client(sandbox) as http:
        response = http.get(f"/services/search/v2/jobs/{job.sid}")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}entry"
    keys = {k.get("name"): k for k in root.iter(f"{REST}key")}
    assert keys["dispatchState"].text == "DONE"
    assert keys["isDone"].text == "1"
    assert keys["sid"].text == job.sid
    assert keys["resultCount"].text == "2"
    assert {"owner", "app", "sharing"} <= set(keys)
    assert {link.get("rel") for link in root.iter(f"{ATOM}link")} >= {"alternate", "results", "events", "control"}


def test_job_status_reports_the_time_range_it_searched(sandbox: Sandbox, service: client.Service) -> None:
    spl, times, _ = _web_404s(sandbox)
    job = wait_done(service.jobs.create(spl, **times))
    assert job["request"]["earliest_time"] == times["earliest_time"]
    assert job["request"]["search"] == spl
    assert job["earliestTime"].startswith("20")
    assert float(job["runDuration"]) >= 0


def test_job_status_in_json_mode_is_a_one_entry_feed(sandbox: Sandbox, service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults count=3"))
    with raw_client(sandbox) as http:
        document = http.get(f"/services/search/v2/jobs/{job.sid}", params={"output_mode": "json"}).json()
    [entry] = document["entry"]
    assert entry["content"]["isDone"] is True
    assert entry["content"]["resultCount"] == 3
    assert entry["acl"]["owner"] == "admin"


def test_status_progresses_from_queued_through_running_to_done(slow_sandbox: Sandbox) -> None:
    service = connect(slow_sandbox)
    job = service.jobs.create("| makeresults count=20")
    seen: list[tuple[str, float]] = []  # ("204", 0) for a status splunkd has not produced yet

    def poll() -> bool:
        before = job._state
        ready = job.is_ready()
        if job._state is before:
            seen.append(("204", 0.0))
            return False
        content = job._state.content
        seen.append((content["dispatchState"], float(content["doneProgress"])))
        return ready and content["isDone"] == "1"

    wait_for(poll, timeout=20, what="the slow job to finish")
    phases = [state for state, _ in seen]
    order = ["204", "QUEUED", "PARSING", "RUNNING", "FINALIZING", "DONE"]
    assert phases[0] in ("204", "QUEUED", "PARSING")
    assert [order.index(p) for p in phases] == sorted(order.index(p) for p in phases)
    running = [progress for state, progress in seen if state == "RUNNING"]
    assert len(set(running)) >= 2
    assert running == sorted(running)
    assert seen[-1] == ("DONE", 1.0)
    assert job["resultCount"] == "20"


def test_results_of_an_unfinished_job_answer_204_and_preview_rows_grow(slow_sandbox: Sandbox) -> None:
    service = connect(slow_sandbox)
    job = service.jobs.create("| makeresults count=50")
    wait_for(lambda: job.is_ready() and job["dispatchState"] == "RUNNING", what="RUNNING")
    assert job.post("results", output_mode="json").status == 204
    sizes: list[int] = []

    def preview_until_done() -> bool:
        document = json.loads(job.preview(output_mode="json", count=0).read() or b"{}")
        sizes.append(len(document.get("results", [])))
        return bool(job.is_done()) and not document.get("preview", True)

    wait_for(preview_until_done, what="the preview to become the final result")
    assert sizes == sorted(sizes)
    assert any(0 < size < 50 for size in sizes)
    assert sizes[-1] == 50


# -- results, events, preview ----------------------------------------------------------------------------
@pytest.mark.parametrize("endpoint", ["results", "events", "preview"])
@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_pages_reassemble_exactly_the_full_result(request: pytest.FixtureRequest, fixture: str, endpoint: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    owner: Sandbox = request.getfixturevalue("v1_sandbox" if fixture == "v1_service" else "sandbox")
    spl, times, expected = _web_404s(owner)
    job = wait_done(svc.jobs.create(spl, **times))
    full = _results(job, endpoint, count=0)
    assert [r["_raw"] for r in full] == expected
    pages: list[dict[str, Any]] = []
    offset = 0
    while page := _results(job, endpoint, count=37, offset=offset):
        assert len(page) <= 37
        pages += page
        offset += 37
    assert pages == full


def test_results_default_to_a_hundred_rows(service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults count=250"))
    assert len(_results(job)) == 100
    assert len(_results(job, count=0)) == 250


def test_events_of_a_report_are_the_events_it_counted(sandbox: Sandbox, service: client.Service) -> None:
    spl, times, expected = _web_404s(sandbox)
    job = wait_done(service.jobs.create(f"{spl} | stats count", **times))
    assert _results(job) == [{"count": str(len(expected))}]
    assert [e["_raw"] for e in _results(job, "events", count=0)] == expected


def test_results_honour_the_field_list(service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults count=2 | eval a=1, b=2, c=3"))
    assert _results(job, f=["b", "a"]) == [{"b": "2", "a": "1"}] * 2
    assert _results(job, field_list="c") == [{"c": "3"}] * 2


def test_results_in_xml_and_csv(service: client.Service) -> None:
    job = wait_done(service.jobs.create('| makeresults count=2 | eval word="a<b" | table word'))
    xml = job.results(output_mode="xml").read()
    root = ET.fromstring(xml)
    assert root.tag == "results"
    assert [v.text for v in root.iter("text")] == ["a<b", "a<b"]
    csv = job.results(output_mode="csv").read().decode()
    assert csv.splitlines() == ["word", "a<b", "a<b"]


# -- control ---------------------------------------------------------------------------------------------
def test_cancel_stops_a_running_job_and_forgets_it(slow_sandbox: Sandbox) -> None:
    service = connect(slow_sandbox)
    job = service.jobs.create("| makeresults count=5")
    wait_for(job.is_ready, what="the job to start")
    job.cancel()
    assert slow_sandbox.job_cancelled(job.sid)
    with pytest.raises(binding.HTTPError) as caught:
        job.refresh()
    assert caught.value.status == 404
    assert job.sid not in [j.sid for j in service.jobs.list()]


def test_cancel_answers_splunkds_message(sandbox: Sandbox, service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults"))
    with raw_client(sandbox) as http:
        response = http.post(f"/services/search/v2/jobs/{job.sid}/control", data={"action": "cancel"})
    assert response.status_code == 200
    assert b'<msg type="INFO">Search job cancelled.</msg>' in response.content


def test_finalize_ends_a_running_job_as_done_and_finalized(slow_sandbox: Sandbox) -> None:
    service = connect(slow_sandbox)
    job = service.jobs.create("| makeresults count=9")
    wait_for(lambda: job.is_ready() and job["dispatchState"] == "RUNNING", what="RUNNING")
    job.finalize()
    wait_done(job, timeout=5)
    assert job["isFinalized"] == "1"
    assert job["dispatchState"] == "DONE"
    assert len(_results(job)) == 9


def test_setttl_touch_pause_and_unpause_change_the_status(service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults"))
    job.set_ttl(1234)
    job.refresh()
    assert job["ttl"] == "1234"
    job.touch()
    job.pause()
    assert job.refresh()["isPaused"] == "1"
    job.unpause()
    assert job.refresh()["isPaused"] == "0"


def test_delete_removes_the_job(sandbox: Sandbox, service: client.Service) -> None:
    job = wait_done(service.jobs.create("| makeresults"))
    with raw_client(sandbox) as http:
        assert http.delete(f"/services/search/v2/jobs/{job.sid}").status_code == 200
        assert http.get(f"/services/search/v2/jobs/{job.sid}").status_code == 404


# -- list ------------------------------------------------------------------------------------------------
def test_jobs_list_shows_each_user_their_own_jobs(sandbox: Sandbox, service: client.Service) -> None:
    analyst = connect(sandbox, ANALYST)
    mine = wait_done(analyst.jobs.create("| makeresults"))
    theirs = wait_done(service.jobs.create("| makeresults"))
    analyst_sids = {j.sid for j in analyst.jobs.list()}
    admin_sids = {j.sid for j in service.jobs.list()}
    assert mine.sid in analyst_sids
    assert theirs.sid not in analyst_sids
    assert {mine.sid, theirs.sid} <= admin_sids
    with pytest.raises(binding.HTTPError) as caught:
        analyst.job(theirs.sid)
    assert caught.value.status == 404


# -- parser ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_the_parser_splits_a_search_into_its_phases(request: pytest.FixtureRequest, fixture: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    body = svc.parse("search index=web status=404 | stats count by host", parse_only=True, output_mode="json")
    parsed = json.loads(body.body.read())
    assert parsed["eventsSearch"] == "search index=web status=404"
    assert parsed["reportsSearch"] == "stats count by host"
    assert [c["command"] for c in parsed["commands"]] == ["search", "stats"]


def test_the_parser_answers_xml_by_default(service: client.Service) -> None:
    root = ET.fromstring(service.parse("search index=web | head 3").body.read())
    assert root.tag == "response"
    assert any(key.get("name") == "commands" for key in root.iter("key"))


@pytest.mark.parametrize("fixture", ["service", "v1_service"], ids=["v2", "v1"])
def test_the_parser_rejects_bad_spl_with_400_fatal(request: pytest.FixtureRequest, fixture: str) -> None:
    svc: client.Service = request.getfixturevalue(fixture)
    with pytest.raises(binding.HTTPError) as caught:
        svc.parse("search index=web | frobnicate")
    assert caught.value.status == 400
    assert str(caught.value).endswith("Unknown search command 'frobnicate'.")
