"""The sandbox's search modes, event sampling and job TTLs, driven with the real splunklib.

Expected counts come from ``Sandbox.events()``; the sample's expected range from the binomial distribution.
"""

from __future__ import annotations

import math

import pytest
from splunklib.binding import HTTPError

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, connect, oneshot

DEFAULT_FIELDS = {"_time", "_raw", "index", "host", "source", "sourcetype", "splunk_server", "linecount"}


def web_total(sandbox: Sandbox) -> int:
    return len(sandbox.events("web"))


def test_a_sample_ratio_keeps_a_deterministic_binomial_share_of_the_events(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    total, ratio = web_total(sandbox), 7
    counts = [
        int(oneshot(service, "search index=web earliest=0 | stats count", sample_ratio=ratio)[0]["count"])
        for _ in range(2)
    ]
    mean, spread = total / ratio, 5 * math.sqrt(total * (1 / ratio) * (1 - 1 / ratio))
    assert mean - spread <= counts[0] <= mean + spread
    assert counts[0] == counts[1]


def test_a_job_reports_its_sample_ratio_and_scans_only_the_sample(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    job = service.jobs.create("search index=web earliest=0 | stats count", exec_mode="blocking", sample_ratio=5)
    sampled = int(next(iter(oneshot(service, "search index=web earliest=0 | stats count", sample_ratio=5)))["count"])
    assert job["sampleRatio"] == "5"
    assert int(job["scanCount"]) == sampled < web_total(sandbox)


@pytest.mark.parametrize(("level", "discovered"), [("fast", False), ("smart", True), ("verbose", True)])
def test_field_discovery_follows_the_search_level_for_an_event_search(
    sandbox: Sandbox, level: str, discovered: bool
) -> None:
    rows = oneshot(connect(sandbox), "search index=web earliest=0 | head 5", adhoc_search_level=level)
    fields = set().union(*rows)
    assert fields >= DEFAULT_FIELDS
    assert ("clientip" in fields) is discovered


def test_fast_mode_extracts_fields_the_search_names_even_in_later_commands(sandbox: Sandbox) -> None:
    rows = oneshot(
        connect(sandbox), "search index=web earliest=0 | head 5 | eval seen=1 | fields - uri", adhoc_search_level="fast"
    )
    assert {"seen"} <= set().union(*rows)
    rows = oneshot(connect(sandbox), "search index=web earliest=0 clientip=* | head 5", adhoc_search_level="fast")
    assert len(rows) == 5
    assert all("clientip" in row and "useragent" not in row for row in rows)


@pytest.mark.parametrize(("name", "value"), [("adhoc_search_level", "turbo"), ("sample_ratio", "0")])
def test_a_bad_mode_or_ratio_is_a_400(sandbox: Sandbox, name: str, value: str) -> None:
    with pytest.raises(HTTPError) as raised:
        connect(sandbox).jobs.create("search index=web | head 1", **{name: value})
    assert raised.value.status == 400
    assert name in str(raised.value)


def test_a_finished_job_reports_its_time_to_live_and_setttl_changes_it(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    job = service.jobs.create("search index=web | head 1", exec_mode="blocking", timeout=300)
    assert 0 < int(job["ttl"]) <= 300
    job.set_ttl(5000)
    job.refresh()
    assert 4900 <= int(job["ttl"]) <= 5000


def test_a_user_lists_only_their_own_jobs_and_an_admin_everyones(sandbox: Sandbox) -> None:
    mine = connect(sandbox, ANALYST).jobs.create("search index=web | head 1", exec_mode="blocking")
    admins = connect(sandbox).jobs.create("search index=web | head 2", exec_mode="blocking", provenance="test")
    analyst_sids = {job.sid for job in connect(sandbox, ANALYST).jobs.list(count=0)}
    admin_sids = {job.sid for job in connect(sandbox).jobs.list(count=0)}
    assert mine.sid in analyst_sids
    assert admins.sid not in analyst_sids
    assert {mine.sid, admins.sid} <= admin_sids
    assert admins["provenance"] == "test"
