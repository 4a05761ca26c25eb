"""server/info, server/health/splunkd, messages and apps/local through splunklib and raw httpx."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.sandbox.rest.support import ANALYST, connect, raw_client, xml_messages

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


def test_server_info_reports_the_configured_version_and_selects_the_v2_jobs_api(service: client.Service) -> None:
    info = service.info
    assert info["version"] == "9.3.1"
    assert service.splunk_version == (9, 3, 1)
    assert service.disable_v2_api is False
    assert info["serverName"] == "sandbox"
    assert info["product_type"] == "enterprise"
    assert "instance_type" not in info  # an empty instance_type crashes splunklib's jobs calls


def test_an_older_version_makes_splunklib_use_the_v1_jobs_api() -> None:
    with Sandbox(SandboxOptions(version="9.0.1", sample_data=False)) as old:
        service = connect(old)
        assert service.splunk_version == (9, 0, 1)
        assert service.disable_v2_api is True


def test_server_info_is_an_atom_feed_with_one_entry(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        for path in ("/services/server/info", "/services/server/info/server-info", "/servicesNS/-/-/server/info"):
            response = http.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith("text/xml")
            root = ET.fromstring(response.content)
            assert root.tag == f"{ATOM}feed"
            assert [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")] == ["server-info"]


def test_server_info_in_json_mode_uses_real_types(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        document = http.get("/services/server/info", params={"output_mode": "json"}).json()
    content = document["entry"][0]["content"]
    assert content["version"] == "9.3.1"
    assert content["isFree"] is False
    assert isinstance(content["numberOfCores"], int)
    assert document["generator"]["version"] == "9.3.1"


def test_health_reports_green_with_and_without_details(service: client.Service) -> None:
    summary = client.Entity(service, "server/health/splunkd")
    assert summary["health"] == "green"
    assert "features" not in summary.content
    details = client.Entity(service, "server/health/splunkd/details")
    assert details["health"] == "green"
    assert {f["health"] for f in details["features"].values()} == {"green"}
    assert "KV Store" in details["features"]


def test_messages_is_an_empty_collection(service: client.Service) -> None:
    assert service.messages.list() == []


def test_apps_local_lists_the_installed_apps(service: client.Service) -> None:
    apps = {app.name: app for app in service.apps}
    assert {"search", "launcher", "sandbox_sample_data"} <= set(apps)
    assert apps["search"]["label"] == "Search & Reporting"
    assert apps["search"]["visible"] == "1"
    assert apps["learned"]["visible"] == "0"


def test_an_app_is_read_by_name_and_refreshed_in_its_namespace(service: client.Service) -> None:
    app = service.apps["search"]
    assert app.access.app == "search"
    app.refresh()
    assert app["label"] == "Search & Reporting"


def test_an_unknown_app_is_a_key_error_and_a_real_404(sandbox: Sandbox, service: client.Service) -> None:
    with pytest.raises(KeyError):
        service.apps["twitter2"]
    assert "twitter2" not in service.apps
    with raw_client(sandbox) as http:
        response = http.get("/services/apps/local/twitter2")
    assert response.status_code == 404
    assert xml_messages(response.content) == [("ERROR", "In handler 'localapps': Could not find object id=twitter2")]


def test_the_analyst_reads_server_info_and_apps_too(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST)
    assert analyst.info["version"] == "9.3.1"
    assert "search" in [a.name for a in analyst.apps]


def test_responses_carry_splunkds_headers(sandbox: Sandbox) -> None:
    response = httpx.get(f"{sandbox.url}/services/server/info")
    assert response.headers["server"] == "Splunkd"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "gzip" not in response.headers.get("content-encoding", "")


def test_the_worst_feature_sets_the_overall_health(sandbox: Sandbox) -> None:
    sandbox.set_health("Index Processor", "yellow", "Queue filling up")
    try:
        with raw_client(sandbox) as http:
            summary = http.get("/services/server/health/splunkd", params={"output_mode": "json"}).json()
            details = http.get("/services/server/health/splunkd/details", params={"output_mode": "json"}).json()
    finally:
        sandbox.set_health("Index Processor", "green")
    assert summary["entry"][0]["content"]["health"] == "yellow"
    feature = details["entry"][0]["content"]["features"]["Index Processor"]
    assert feature["health"] == "yellow"
    assert feature["reasons"] == {"cause": "Queue filling up"}
