"""search/v2/jobs/export and search/jobs/export: NDJSON, preview-then-final for reports, errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pytest
import splunklib.binding as binding
import splunklib.client as client
import splunklib.results as results

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.sandbox.rest.support import access_fields, connect, final_rows, in_window, raw_client, time_window


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


@pytest.fixture(scope="module")
def v1() -> Iterator[tuple[Sandbox, client.Service]]:
    with Sandbox(SandboxOptions(version="8.2.12")) as old:
        yield old, connect(old)


def _window(sandbox: Sandbox) -> tuple[dict[str, str], list[dict[str, str]]]:
    earliest, latest = time_window(sandbox, "web")
    return (
        {"earliest_time": str(earliest), "latest_time": str(latest)},
        access_fields(in_window(sandbox.events("web"), earliest, latest)),
    )


def _status_counts(fields: list[dict[str, str]]) -> list[dict[str, str]]:
    counts = Counter(f["status"] for f in fields)
    return [{"status": status, "count": str(n)} for status, n in sorted(counts.items())]


def test_an_event_export_streams_every_event_once_and_never_as_preview(
    sandbox: Sandbox, service: client.Service
) -> None:
    times, fields = _window(sandbox)
    reader = results.JSONResultsReader(service.jobs.export("search index=web status=503", output_mode="json", **times))
    rows, previews = [], 0
    for item in reader:
        if isinstance(item, dict):
            previews += reader.is_preview
            rows.append(item)
    assert previews == 0
    expected = [f["clientip"] for f in fields if f["status"] == "503"]
    assert sorted(r["clientip"] for r in rows) == sorted(expected)
    assert len(rows) == len(expected)


def test_a_report_export_sends_preview_rows_then_the_final_ones(sandbox: Sandbox, service: client.Service) -> None:
    times, fields = _window(sandbox)
    reader = results.JSONResultsReader(
        service.jobs.export("search index=web | stats count by status", output_mode="json", **times)
    )
    flags = []
    final = []
    for item in reader:
        if isinstance(item, dict):
            flags.append(reader.is_preview)
            if not reader.is_preview:
                final.append(item)
    assert True in flags
    assert flags == sorted(flags, reverse=True)  # every preview row comes before the first final one
    assert final == _status_counts(fields)


def test_a_report_export_without_preview_sends_only_final_rows(sandbox: Sandbox, service: client.Service) -> None:
    times, fields = _window(sandbox)
    reader = results.JSONResultsReader(
        service.jobs.export("search index=web | stats count by status", output_mode="json", preview=False, **times)
    )
    rows = [item for item in reader if isinstance(item, dict)]
    assert not reader.is_preview
    assert rows == _status_counts(fields)


def test_export_is_ndjson_without_content_length_and_flags_the_last_row(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.post(
            "/services/search/v2/jobs/export",
            data={"search": "| makeresults count=3", "output_mode": "json"},
        )
    assert response.status_code == 200
    assert "content-length" not in response.headers
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["offset"] for line in lines] == [0, 1, 2]
    assert [line.get("lastrow", False) for line in lines] == [False, False, True]
    assert all(line["preview"] is False for line in lines)


def test_export_answers_get_as_well_as_post(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.get(
            "/services/search/jobs/export", params={"search": "| makeresults count=2", "output_mode": "json"}
        )
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 2


def test_export_in_xml_mode_is_a_results_document(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.post("/services/search/v2/jobs/export", data={"search": "| makeresults count=2"})
    root = ET.fromstring(response.content)
    assert root.tag == "results"
    assert len(root.findall("result")) == 2


def test_the_v1_export_path_gives_the_same_answer(v1: tuple[Sandbox, client.Service]) -> None:
    old, service = v1
    times, fields = _window(old)
    rows = final_rows(service.jobs.export("search index=web | stats count by status", output_mode="json", **times))
    assert rows == _status_counts(fields)


def test_an_export_of_bad_spl_is_a_400_fatal(service: client.Service) -> None:
    with pytest.raises(binding.HTTPError) as caught:
        service.jobs.export("search index=web | nosuchcommand", output_mode="json")
    assert caught.value.status == 400
    document = json.loads(caught.value.body)
    assert document["messages"] == [{"type": "FATAL", "text": "Unknown search command 'nosuchcommand'."}]


def test_export_passes_search_messages_through(service: client.Service) -> None:
    reader = results.JSONResultsReader(
        service.jobs.export("| makeresults count=2 | append [| makeresults count=10005]", output_mode="json")
    )
    items = list(reader)
    messages = [(m.type, m.message) for m in items if isinstance(m, results.Message)]
    assert messages == [("WARN", "Subsearch produced 10005 results, truncating to maxout 10000.")]
    assert len([i for i in items if isinstance(i, dict)]) == 2 + 10000
