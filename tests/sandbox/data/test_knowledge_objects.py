from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from mcp_splunk.sandbox.data import Knowledge, default_knowledge
from mcp_splunk.sandbox.events import Event

SCHEDULED = "Failed logins by source"
QUARTER_HOUR = 900


def _by_name(knowledge: Knowledge) -> dict[str, dict[str, str]]:
    return {search.name: dict(search.content) for search in knowledge.saved_searches}


def test_knowledge_is_deterministic(now: float, knowledge: Knowledge) -> None:
    assert default_knowledge(now=now, seed=42) == knowledge


def test_the_three_saved_searches_are_as_specified(knowledge: Knowledge) -> None:
    searches = _by_name(knowledge)
    assert searches["Web errors by host"]["search"] == "search index=web status>=500 | stats count by host"
    assert searches["Web errors by host"]["is_scheduled"] == "0"
    assert searches["Top URIs"]["search"] == "search index=web | top limit=10 uri"
    assert searches[SCHEDULED]["search"] == (
        'search index=security sourcetype=linux_secure "Failed password" | stats count by src | where count > 5'
    )
    assert set(searches) == {"Web errors by host", SCHEDULED, "Top URIs"}
    for search in knowledge.saved_searches:
        assert (search.acl.owner, search.acl.app) == ("admin", "search")
        assert all(isinstance(value, str) for value in search.content.values())
        for key in (
            "description",
            "disabled",
            "cron_schedule",
            "dispatch.earliest_time",
            "dispatch.latest_time",
        ):
            assert key in search.content, (search.name, key)


def test_failed_logins_is_an_email_alert_every_quarter_hour(knowledge: Knowledge) -> None:
    alert = _by_name(knowledge)[SCHEDULED]
    assert alert["is_scheduled"] == "1"
    assert alert["cron_schedule"] == "*/15 * * * *"
    assert (alert["alert_type"], alert["alert_comparator"], alert["alert_threshold"]) == (
        "number of events",
        "greater than",
        "0",
    )
    assert alert["actions"] == "email"
    assert alert["alert.severity"] == "4"
    assert alert["alert.track"] == "1"
    assert alert["triggered_alert_count"] == str(len(knowledge.fired_alerts))


def test_fired_alerts_are_a_handful_from_the_last_day_of_the_scheduled_search(now: float, knowledge: Knowledge) -> None:
    assert 2 <= len(knowledge.fired_alerts) <= 15
    sid = re.compile(r"scheduler__admin__search__RMD5[0-9a-f]{16}_at_(\d+)_\d+")
    for alert in knowledge.fired_alerts:
        content = alert.content
        assert alert.name == content["sid"]
        assert content["savedsearch_name"] == SCHEDULED
        assert now - 86400 < float(content["trigger_time"]) <= now
        match = sid.fullmatch(alert.name)
        assert match, alert.name
        assert 0 <= float(content["trigger_time"]) - int(match[1]) < 60
        assert float(content["expiration_time"]) > float(content["trigger_time"])
        assert content["severity"] == "4"
        assert int(content["triggered_alerts"]) >= 1
        assert {"alert_type", "digest_mode"} <= set(content)
    times = [float(alert.content["trigger_time"]) for alert in knowledge.fired_alerts]
    assert times == sorted(times)


def test_fired_alerts_are_the_runs_that_saw_a_source_fail_more_than_five_times(
    now: float, knowledge: Knowledge, corpus: dict[str, list[Event]], secure_lines: list[re.Match[str] | None]
) -> None:
    failures: Counter[tuple[int, str]] = Counter()
    for event, line in zip(corpus["security"], secure_lines, strict=True):
        if line and line["outcome"] == "Failed":
            # The run at cron time t searches [t - 15m, t).
            failures[(int(event.time) // QUARTER_HOUR + 1) * QUARTER_HOUR, line["src"]] += 1
    alarming = {run for (run, _), count in failures.items() if count > 5}
    fired = {int(alert.name.split("_at_")[1].split("_")[0]) for alert in knowledge.fired_alerts}
    assert fired <= alarming
    # Runs well inside the last day (away from its edges) fire whenever a source failed more than five times.
    inside = {run for run in alarming if now - 86400 + 60 < run < now - 60}
    assert inside <= fired


def test_the_http_status_lookup_covers_every_status_in_the_web_events(
    knowledge: Knowledge, web_lines: list[re.Match[str] | None]
) -> None:
    (lookup,) = knowledge.lookup_files
    assert lookup.name == "http_status.csv"
    assert lookup.columns == ("status", "status_description", "status_type")
    described = {row["status"]: row for row in lookup.rows}
    for status in {line["status"] for line in web_lines if line}:
        assert status in described
        assert described[status]["status_description"]
    assert described["503"]["status_type"] != described["404"]["status_type"]


def test_lookup_definitions_name_the_csv_file_and_the_kvstore_collection(knowledge: Knowledge) -> None:
    definitions = {d.name: d.content for d in knowledge.lookup_definitions}
    assert definitions["http_status"]["filename"] == "http_status.csv"
    assets = definitions["assets_lookup"]
    assert (assets["external_type"], assets["collection"]) == ("kvstore", "assets")
    assert assets["fields_list"] == "_key,ip,hostname,owner,criticality"


def test_kvstore_assets_describe_hosts_and_addresses_seen_in_the_events(
    knowledge: Knowledge, corpus: dict[str, list[Event]]
) -> None:
    (assets,) = knowledge.kvstore_collections
    assert (assets.name, assets.acl.app) == ("assets", "search")
    assert assets.content["field.ip"] == "string"
    assert assets.content["field.criticality"] == "number"
    assert 10 <= len(assets.records) <= 15
    hosts = {event.host for events in corpus.values() for event in events}
    addresses = {ip for events in corpus.values() for e in events for ip in re.findall(r"\d+\.\d+\.\d+\.\d+", e.raw)}
    for record in assets.records:
        assert record["_user"] == "nobody"
        assert record["_key"]
        assert isinstance(record["criticality"], int)
        assert record["ip"] in addresses, record
    assert hosts - {"sandbox"} <= {record["hostname"] for record in assets.records}


def test_macros_are_the_web_errors_and_errors_for_macros(knowledge: Knowledge) -> None:
    macros = {macro.name: macro.content for macro in knowledge.macros}
    assert macros["web_errors"]["definition"] == "index=web status>=500"
    assert macros["errors_for(1)"]["definition"] == 'index=main level=ERROR service="$service$"'
    assert macros["errors_for(1)"]["args"] == "service"


def test_views_are_simple_xml_dashboards_searching_the_sample_data(knowledge: Knowledge) -> None:
    views = {view.name: view.content for view in knowledge.views}
    assert set(views) == {"web_overview", "security_overview"}
    for name, index in (("web_overview", "index=web"), ("security_overview", "index=security")):
        dashboard = ET.fromstring(views[name]["eai:data"])
        assert dashboard.tag == "dashboard"
        assert dashboard.findtext("label") == views[name]["label"]
        queries = [query.text or "" for query in dashboard.iter("query")]
        assert len(queries) >= 4
        assert all(query.startswith(index) for query in queries)
