"""Loading the sample corpus and knowledge objects (``sandbox.data``) into a fresh sandbox state."""

from __future__ import annotations

from mcp_splunk.sandbox.data import Knowledge, default_knowledge, generate_events
from mcp_splunk.sandbox.data import objects as data
from mcp_splunk.sandbox.objects import KnowledgeObject, ObjectCollection
from mcp_splunk.sandbox.rest.entries import Acl
from mcp_splunk.sandbox.state import FiredAlert, SandboxState


def _acl(acl: data.Acl) -> Acl:
    private = acl.sharing == "user"
    return Acl(
        owner=acl.owner,
        app=acl.app,
        sharing=acl.sharing,
        read=("*",),
        write=(acl.owner,) if private else ("admin", "power"),
        removable=True,
    )


def _put_all(collection: ObjectCollection, entities: tuple[data.Entity, ...], now: float) -> None:
    for entity in entities:
        collection.put(KnowledgeObject(entity.name, _acl(entity.acl), dict(entity.content), now))


def load_sample_data(state: SandboxState) -> None:
    now = state.started
    for index, events in generate_events(now=now, seed=state.options.seed).items():
        state.add_events(index, events)
    load_knowledge(state, default_knowledge(now=now, seed=state.options.seed))


def load_knowledge(state: SandboxState, knowledge: Knowledge) -> None:
    now = state.started
    _put_all(state.saved_searches, knowledge.saved_searches, now)
    _put_all(state.lookup_definitions, knowledge.lookup_definitions, now)
    _put_all(state.macros, knowledge.macros, now)
    _put_all(state.views, knowledge.views, now)
    for table in knowledge.lookup_files:
        content = {"eai:data": f"/opt/splunk/etc/apps/{table.acl.app}/lookups/{table.name}"}
        state.lookup_files.put(KnowledgeObject(table.name, _acl(table.acl), content, now))
        state.lookup_tables[table.name] = [dict(row) for row in table.rows]
    columns = {table.name: list(table.columns) for table in knowledge.lookup_files}
    for definition in state.lookup_definitions.all():
        # splunkd reports a file-based definition's fields from its CSV header.
        fields = columns.get(str(definition.content.get("filename", "")))
        if fields and "fields_list" not in definition.content:
            definition.content.update(fields_list=",".join(fields), fields_array=fields)
    for collection in knowledge.kvstore_collections:
        state.kv_collections.put(KnowledgeObject(collection.name, _acl(collection.acl), dict(collection.content), now))
        records = state.kv_records(collection.name, collection.acl.app)
        for record in collection.records:
            records[str(record["_key"])] = dict(record)
    with state.alerts_lock:
        for alert in knowledge.fired_alerts:
            c = alert.content
            state.fired_alerts.append(
                FiredAlert(
                    sid=alert.name,
                    savedsearch_name=c["savedsearch_name"],
                    trigger_time=float(c["trigger_time"]),
                    severity=int(c["severity"]),
                    triggered_alerts=int(c["triggered_alerts"]),
                    alert_type=c["alert_type"],
                    digest_mode=c["digest_mode"] in ("1", "true"),
                    expiration_time=float(c["expiration_time"]),
                    app=alert.acl.app,
                    owner=alert.acl.owner,
                )
            )
