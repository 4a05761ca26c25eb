"""configs/conf-<file> and properties: the sandbox's .conf files, read-only.

Files that mirror knowledge objects (macros, savedsearches, transforms, indexes, authorize, collections) are
derived from the live objects, so a saved search created over REST shows up in conf-savedsearches too. Secret
values are stored the way splunkd stores them, encrypted as ``$7$…``; a gateway must still mask them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp_splunk.sandbox.objects import ObjectCollection
from mcp_splunk.sandbox.rest.endpoints.indexes import db_directory
from mcp_splunk.sandbox.rest.endpoints.knowledge import object_entry
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, forbidden, not_found
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

Stanzas = dict[str, dict[str, Any]]
STATIC_CONFS: dict[str, Stanzas] = {
    "server": {
        "general": {
            "serverName": "sandbox",
            "sessionTimeout": "1h",
            "pass4SymmKey": "$7$kR3hXy0bG4n1cR5mQ2v8Wd6zPq9sTf1uLx7aEj2Nc4o=",
        },
        "sslConfig": {
            "enableSplunkdSSL": "true",
            "sslVersions": "tls1.2",
            "sslPassword": "$7$Zm9vYmFyLXNhbmRib3gtc3NsLXBhc3N3b3JkLTAxMjM0NTY=",
        },
        "kvstore": {"port": "8191", "storageEngine": "wiredTiger"},
    },
    "web": {"settings": {"httpport": "8000", "mgmtHostPort": "127.0.0.1:8089", "enableSplunkWebSSL": "false"}},
    "props": {
        "access_combined": {
            "REPORT-access": "access-extractions",
            "SHOULD_LINEMERGE": "false",
            "TIME_FORMAT": "%d/%b/%Y:%H:%M:%S %z",
            "category": "Web",
        },
        "linux_secure": {
            "SHOULD_LINEMERGE": "false",
            "TIME_FORMAT": "%b %d %H:%M:%S",
            "category": "Operating System",
        },
        "_json": {"KV_MODE": "json", "INDEXED_EXTRACTIONS": "json", "category": "Structured"},
        "splunkd": {
            "EXTRACT-fields": "(?i)^\\S+\\s+\\S+\\s+\\S+\\s+(?<log_level>\\w+)\\s+(?<component>\\w+)",
            "category": "Splunk",
        },
    },
    "inputs": {
        "monitor:///var/log/nginx/access.log": {"index": "web", "sourcetype": "access_combined"},
        "monitor:///var/log/secure": {"index": "security", "sourcetype": "linux_secure"},
        "monitor:///var/log/app": {"index": "main", "sourcetype": "_json"},
    },
    "limits": {"search": {"max_count": "500000", "ttl": "600"}, "restapi": {"maxresultrows": "50000"}},
    "alert_actions": {
        "email": {
            "mailserver": "smtp.sandbox.example:587",
            "from": "splunk@sandbox.example",
            "auth_username": "splunk-alerts",
            "auth_password": "$7$c2FuZGJveC1zbXRwLXBhc3N3b3JkLXNlY3JldC0wMQ==",
        }
    },
    "authentication": {
        "authentication": {"authType": "Splunk", "authSettings": "corp_ldap"},
        "corp_ldap": {
            "host": "ldap.sandbox.example",
            "port": "636",
            "SSLEnabled": "1",
            "bindDN": "cn=splunk,ou=svc,dc=sandbox,dc=example",
            "bindDNpassword": "$7$bGRhcC1iaW5kLXBhc3N3b3JkLXNhbmRib3gtMDA5OQ==",
        },
    },
}
# Reading these needs list_settings, as splunkd's server-wide settings do.
_RESTRICTED = frozenset({"server", "web", "authentication", "authorize", "alert_actions"})
_SYSTEM = Acl(owner="nobody", app="system", sharing="system", write=("admin",), removable=False)
_DERIVED: dict[str, str] = {
    "macros": "macros",
    "savedsearches": "saved_searches",
    "transforms": "lookup_definitions",
    "collections": "kv_collections",
}


def _derived_from_state(state: SandboxState) -> dict[str, Callable[[], Stanzas]]:
    return {
        "indexes": lambda: {
            name: {
                "homePath": f"$SPLUNK_DB/{db_directory(name)}/db",
                "coldPath": f"$SPLUNK_DB/{db_directory(name)}/colddb",
                "thawedPath": f"$SPLUNK_DB/{db_directory(name)}/thaweddb",
            }
            for name in state.indexes
        },
        "authorize": lambda: {
            f"role_{r.name}": {
                "importRoles": ";".join(r.imported_roles),
                "srchIndexesAllowed": ";".join(r.indexes_allowed),
                "srchIndexesDefault": ";".join(r.indexes_default),
                **dict.fromkeys(sorted(r.capabilities), "enabled"),
            }
            for r in state.accounts.roles()
        },
    }


def _stanza_entries(state: SandboxState, req: SplunkdRequest, name: str) -> list[Entry]:
    path = f"configs/conf-{name}"
    user = req.require_user()
    if name in _RESTRICTED and "list_settings" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "list_settings")
    if name in _DERIVED:
        collection: ObjectCollection = getattr(state, _DERIVED[name])
        return [object_entry(o, path) for o in collection.visible(user, req.namespace())]
    computed = _derived_from_state(state)
    stanzas = computed[name]() if name in computed else STATIC_CONFS.get(name)
    if stanzas is None:
        raise not_found(f"conf-{name}", name)
    return [
        Entry(s, path, {"disabled": False, "eai:appName": "system", **values}, _SYSTEM, "nobody")
        for s, values in stanzas.items()
    ]


def conf_files(state: SandboxState) -> list[str]:
    return sorted({*STATIC_CONFS, *_DERIVED, *_derived_from_state(state)})


def list_stanzas(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    entries = _stanza_entries(state, req, name)
    return FeedReply(req.list_query().apply(f"conf-{name}", f"configs/conf-{name}", entries))


def get_stanza(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    for entry in _stanza_entries(state, req, name):
        if entry.name == params["stanza"]:
            return FeedReply(Feed(f"conf-{name}", f"configs/conf-{name}", [entry]))
    raise not_found(f"conf-{name}", params["stanza"])


def list_files(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    entries = [Entry(f, "properties", {}, _SYSTEM, "nobody") for f in conf_files(state)]
    return FeedReply(req.list_query().apply("properties", "properties", entries))


def list_file_stanzas(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["file"]
    if name not in conf_files(state):
        raise not_found("properties", name)
    entries = [Entry(e.name, f"properties/{name}", {}, _SYSTEM, "nobody") for e in _stanza_entries(state, req, name)]
    return FeedReply(req.list_query().apply(name, f"properties/{name}", entries))


ROUTES = [
    *route("GET", "configs/conf-{file}", list_stanzas),
    *route("GET", "configs/conf-{file}/{stanza}", get_stanza),
    *route("GET", "properties", list_files),
    *route("GET", "properties/{file}", list_file_stanzas),
]
