"""The knowledge objects the sandbox starts with: saved searches, alerts, lookups, KV Store, macros, views."""

from __future__ import annotations

import csv
import io
from importlib import resources

from mcp_splunk.sandbox.data.dashboards import default_views
from mcp_splunk.sandbox.data.objects import SHARED, Entity, Knowledge, KVRecord, KVStoreCollection, LookupFile
from mcp_splunk.sandbox.data.searches import fired_alerts, saved_searches
from mcp_splunk.sandbox.data.topology import PEOPLE, SERVERS

HTTP_STATUS_FILE = "http_status.csv"
ASSETS = "assets"
_ASSET_FIELDS = {"ip": "string", "hostname": "string", "owner": "string", "criticality": "number"}


def _lookup_file(name: str) -> LookupFile:
    text = resources.files("mcp_splunk.sandbox.data").joinpath("lookups", name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = tuple(reader)
    return LookupFile(name, SHARED, tuple(reader.fieldnames or ()), rows)


def _lookup_definitions() -> tuple[Entity, ...]:
    return (
        Entity("http_status", SHARED, {"type": "file", "filename": HTTP_STATUS_FILE, "case_sensitive_match": "1"}),
        Entity(
            "assets_lookup",
            SHARED,
            {
                "type": "kvstore",
                "external_type": "kvstore",
                "collection": ASSETS,
                "fields_list": ",".join(("_key", *_ASSET_FIELDS)),
                "case_sensitive_match": "1",
            },
        ),
    )


def _asset(hostname: str, ip: str, owner: str, criticality: int) -> KVRecord:
    return {
        "_key": hostname,
        "_user": "nobody",
        "ip": ip,
        "hostname": hostname,
        "owner": owner,
        "criticality": criticality,
    }


def _assets() -> KVStoreCollection:
    records = [_asset(s.hostname, s.ip, s.owner, s.criticality) for s in SERVERS]
    records += [_asset(p.workstation, p.ip, p.username, p.criticality) for p in PEOPLE]
    content = {f"field.{name}": kind for name, kind in _ASSET_FIELDS.items()}
    content |= {
        "accelerated_fields.ip": '{"ip": 1}',
        "enforceTypes": "true",
        "replicate": "false",
        "disabled": "0",
    }
    return KVStoreCollection(ASSETS, SHARED, content, tuple(records))


def _macros() -> tuple[Entity, ...]:
    return (
        Entity("web_errors", SHARED, {"definition": "index=web status>=500", "args": "", "iseval": "0"}),
        Entity(
            "errors_for(1)",
            SHARED,
            {"definition": 'index=main level=ERROR service="$service$"', "args": "service", "iseval": "0"},
        ),
    )


def default_knowledge(*, now: float, seed: int = 42) -> Knowledge:
    """Fresh knowledge objects; the fired alerts match the security events of the same now and seed."""
    alerts = fired_alerts(now=now, seed=seed)
    return Knowledge(
        saved_searches=saved_searches(now=now, fired_alerts=len(alerts)),
        fired_alerts=alerts,
        lookup_files=(_lookup_file(HTTP_STATUS_FILE),),
        lookup_definitions=_lookup_definitions(),
        kvstore_collections=(_assets(),),
        macros=_macros(),
        views=default_views(),
    )
