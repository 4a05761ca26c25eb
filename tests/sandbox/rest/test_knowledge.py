"""Knowledge objects: lookups, macros, views, configs/conf-* and properties, in and out of namespaces."""

from __future__ import annotations

import csv
import json
import uuid
import xml.etree.ElementTree as ET
from importlib import resources

import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import ANALYST, atom_entries, connect, oneshot, raw_client, xml_messages

HTTP_STATUS_ROWS = list(
    csv.DictReader(
        resources.files("mcp_splunk.sandbox.data").joinpath("lookups", "http_status.csv").read_text().splitlines()
    )
)


@pytest.fixture(scope="module")
def service(sandbox: Sandbox) -> client.Service:
    return connect(sandbox)


# -- lookups, macros, views ------------------------------------------------------------------------------
def test_lookup_table_files_list_the_csv_with_its_path(service: client.Service) -> None:
    files = client.Collection(service, "data/lookup-table-files")
    assert [f.name for f in files] == ["http_status.csv"]
    entry = files["http_status.csv"]
    assert entry["eai:data"].endswith("/apps/search/lookups/http_status.csv")
    assert entry.access.app == "search"


def test_lookup_definitions_point_at_a_file_and_at_the_kv_store(service: client.Service) -> None:
    definitions = {d.name: d for d in client.Collection(service, "data/transforms/lookups")}
    assert definitions["http_status"]["filename"] == "http_status.csv"
    assert definitions["assets_lookup"]["external_type"] == "kvstore"
    assert definitions["assets_lookup"]["collection"] == "assets"


def test_macros_carry_definitions_and_arguments(service: client.Service) -> None:
    macros = {m.name: m for m in client.Collection(service, "admin/macros")}
    assert macros["web_errors"]["definition"] == "index=web status>=500"
    assert macros["errors_for(1)"]["args"] == "service"
    assert "$service$" in macros["errors_for(1)"]["definition"]


def test_views_hold_their_simple_xml(service: client.Service) -> None:
    views = {v.name: v for v in client.Collection(service, "data/ui/views")}
    assert {"web_overview", "security_overview"} <= set(views)
    for view in views.values():
        root = ET.fromstring(view["eai:data"])
        assert root.tag in ("dashboard", "form")
        assert root.findtext("label") == view["label"]


def test_a_view_is_read_by_name_and_refreshed_in_its_namespace(service: client.Service) -> None:
    view = client.Collection(service, "data/ui/views")["web_overview"]
    view.refresh()
    assert view["label"] == "Web Overview"


def test_app_shared_objects_are_seen_in_their_app_and_through_wildcards_only(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        in_app = atom_entries(http.get("/servicesNS/nobody/search/admin/macros").content)
        wildcard = atom_entries(http.get("/servicesNS/-/-/admin/macros").content)
        other_app = http.get("/servicesNS/nobody/launcher/admin/macros")
        missing = http.get("/servicesNS/nobody/launcher/admin/macros/web_errors")
    assert {"web_errors", "errors_for(1)"} <= set(in_app)
    assert set(in_app) <= set(wildcard)
    assert "web_errors" not in atom_entries(other_app.content)
    assert missing.status_code == 404
    assert xml_messages(missing.content) == [("ERROR", "In handler 'conf-macros': Could not find object id=web_errors")]


def test_splunklib_owner_and_app_arguments_scope_the_reads(sandbox: Sandbox) -> None:
    in_search = connect(sandbox, owner="nobody", app="search")
    in_launcher = connect(sandbox, owner="nobody", app="launcher")
    assert "Top URIs" in in_search.saved_searches
    assert "Top URIs" not in in_launcher.saved_searches
    everywhere = connect(sandbox, owner="-", app="-")
    assert "Top URIs" in [s.name for s in everywhere.saved_searches]


# -- confs and properties --------------------------------------------------------------------------------
def test_confs_lists_the_conf_files(service: client.Service) -> None:
    names = [c.name for c in service.confs]
    assert {"props", "macros", "savedsearches", "transforms", "indexes", "server"} <= set(names)


def test_a_conf_file_lists_its_stanzas_with_their_keys(service: client.Service) -> None:
    props = service.confs["props"]
    assert {"access_combined", "linux_secure"} <= {s.name for s in props}
    assert props["access_combined"]["TIME_FORMAT"] == "%d/%b/%Y:%H:%M:%S %z"


def test_conf_files_mirror_the_live_knowledge_objects(service: client.Service) -> None:
    name = f"Conf mirror {uuid.uuid4().hex[:6]}"
    service.saved_searches.create(name, "index=web | head 1")
    stanzas = {s.name: s for s in service.confs["savedsearches"]}
    assert stanzas[name]["search"] == "index=web | head 1"
    assert "Top URIs" in stanzas
    assert {s.name for s in service.confs["indexes"]} >= {"main", "web", "security", "_internal"}
    assert service.confs["indexes"]["main"]["homePath"] == "$SPLUNK_DB/defaultdb/db"
    service.saved_searches.delete(name)


def test_an_unknown_conf_file_or_stanza_is_a_key_error(service: client.Service) -> None:
    with pytest.raises(KeyError):
        service.confs["no_such_conf"]
    with pytest.raises(KeyError):
        service.confs["props"]["no_such_stanza"]


def test_the_admin_reads_conf_server_with_encrypted_secrets(service: client.Service) -> None:
    general = service.confs["server"]["general"]
    assert general["serverName"] == "sandbox"
    assert general["pass4SymmKey"].startswith("$7$")


def test_the_analyst_cannot_read_server_settings(sandbox: Sandbox) -> None:
    analyst = connect(sandbox, ANALYST)
    with pytest.raises(binding.HTTPError) as caught:
        analyst.get("configs/conf-server")
    assert caught.value.status == 403
    assert "list_settings" in str(caught.value)
    assert analyst.confs["props"]["access_combined"]["category"] == "Web"


def test_properties_list_files_and_stanzas(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        files = atom_entries(http.get("/services/properties").content)
        stanzas = atom_entries(http.get("/services/properties/props").content)
        missing = http.get("/services/properties/nope")
    assert "props" in files
    assert {"access_combined", "linux_secure"} <= set(stanzas)
    assert missing.status_code == 404


def test_the_http_status_lookup_file_matches_its_csv(service: client.Service) -> None:
    assert oneshot(service, "| inputlookup http_status.csv") == HTTP_STATUS_ROWS


def test_a_stanza_whose_name_holds_slashes_is_found_by_its_encoded_name(sandbox: Sandbox) -> None:
    with raw_client(sandbox) as http:
        response = http.get(
            "/services/configs/conf-inputs/monitor%3A%2F%2F%2Fvar%2Flog%2Fsecure", params={"output_mode": "json"}
        )
    assert response.status_code == 200
    assert response.json()["entry"][0]["name"] == "monitor:///var/log/secure"


def test_a_file_lookup_definition_lists_the_fields_of_its_csv(sandbox: Sandbox) -> None:
    header = next(iter(sandbox.state.lookup_tables["http_status.csv"]))
    definition = connect(sandbox).get("data/transforms/lookups/http_status", output_mode="json")
    content = json.loads(definition.body.read())["entry"][0]["content"]
    assert content["fields_list"].split(",") == list(header)
