"""Everything a sandbox holds: accounts, indexes, apps, conf files, knowledge objects, KV Store data and jobs."""

from __future__ import annotations

import copy
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_splunk.sandbox.accounts import Accounts, User, index_allowed
from mcp_splunk.sandbox.data.confs import STATIC_CONFS, STOCK_APPS, Stanzas
from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.indexes import Index
from mcp_splunk.sandbox.jobs import JobManager
from mcp_splunk.sandbox.kvquery import Document
from mcp_splunk.sandbox.live import LiveFeed
from mcp_splunk.sandbox.objects import ObjectCollection

_VERSION = re.compile(r"\d+(?:\.\d+)*")
HEALTH_FEATURES = ("Data Forwarding", "File Monitor Input", "Index Processor", "Search Scheduler", "KV Store")
HEALTH_COLOURS = ("green", "yellow", "red")  # from best to worst
DEFAULT_INDEXES = ("main", "web", "security", "_internal", "_audit", "history", "summary")
RestBridge = Callable[[User, str, Mapping[str, str]], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    seed: int = 42
    version: str = "9.3.1"  # >= 9.0.2 makes splunklib use search/v2/jobs; lower it to exercise search/jobs
    server_name: str = "sandbox"
    job_latency: float = 0.0  # minimum seconds a search job spends before DONE (0: as fast as possible)
    job_ttl: int = 600
    session_timeout: float = 3600.0
    sample_data: bool = True
    now: float | None = None  # the sample data is generated relative to this instant (default: start time)
    tokens: Mapping[str, str] = field(default_factory=dict)  # bearer token -> user name
    # Keep appending events after start (off: a frozen corpus, as the gateway's tests expect).
    live_data: bool = False
    hec_tokens: Mapping[str, str] = field(default_factory=dict)  # HTTP Event Collector token -> default index

    def __post_init__(self) -> None:
        # splunklib parses server/info's version as dotted integers and fails on anything else.
        if not _VERSION.fullmatch(self.version):
            raise ValueError(f"version must be dotted integers such as 9.3.1, not {self.version!r}")
        if self.job_latency < 0 or self.job_ttl < 1 or self.session_timeout <= 0:
            raise ValueError("job_latency must be >= 0, job_ttl >= 1 and session_timeout > 0")


@dataclass(slots=True)
class FiredAlert:
    sid: str
    savedsearch_name: str
    trigger_time: float
    severity: int
    triggered_alerts: int
    alert_type: str
    digest_mode: bool
    expiration_time: float
    app: str = "search"
    owner: str = "admin"


class SandboxState:
    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.started = options.now if options.now is not None else time.time()
        self.guid = str(uuid.UUID(int=options.seed * 2**64 + 0x5A9D)).upper()
        self.accounts = Accounts(options.session_timeout)
        for token, user in options.tokens.items():
            self.accounts.add_token(token, user)
        self.indexes: dict[str, Index] = {name: Index(name) for name in DEFAULT_INDEXES}
        self.apps: dict[str, dict[str, Any]] = {
            name: {"label": label, "visible": visible, "description": description, "author": "Splunk"}
            for name, label, visible, description in STOCK_APPS
        }
        self.confs: dict[str, Stanzas] = copy.deepcopy(STATIC_CONFS)
        self.config_lock = threading.RLock()  # apps, indexes, conf files, HEC tokens and server settings
        self.hec_tokens: dict[str, str] = dict(options.hec_tokens)
        self.server_settings: dict[str, Any] = {
            "SPLUNK_DB": "/opt/splunk/var/lib/splunk",
            "SPLUNK_HOME": "/opt/splunk",
            "enableSplunkWebSSL": False,
            "host": options.server_name,
            "httpport": "8000",
            "mgmtHostPort": "8089",
            "minFreeSpace": "5000",
            "serverName": options.server_name,
            "sessionTimeout": "1h",
            "startwebserver": False,
            "trustedIP": "",
        }
        self.saved_searches = ObjectCollection("savedsearch", self.accounts)
        self.views = ObjectCollection("views", self.accounts)
        self.macros = ObjectCollection("conf-macros", self.accounts)
        self.lookup_files = ObjectCollection("lookup-table-files", self.accounts)
        self.lookup_definitions = ObjectCollection("transforms-lookup", self.accounts)
        self.eventtypes = ObjectCollection("eventtypes", self.accounts)
        self.passwords = ObjectCollection("passwords", self.accounts)
        self.kv_collections = ObjectCollection("collections-conf", self.accounts)
        self.lookup_tables: dict[str, list[dict[str, str]]] = {}
        self.kv_data: dict[tuple[str, str], dict[str, Document]] = {}  # (app, collection) -> records by _key
        self.kv_lock = threading.RLock()
        self.fired_alerts: list[FiredAlert] = []
        self.suppressed_until: dict[tuple[str, str, str], float] = {}  # saved search (name, app, owner) -> epoch
        self.alerts_lock = threading.Lock()
        self.jobs = JobManager(latency=options.job_latency, default_ttl=options.job_ttl)
        self.rest_bridge: RestBridge | None = None
        self.health: dict[str, tuple[str, str]] = dict.fromkeys(HEALTH_FEATURES, ("green", ""))
        self.live = LiveFeed(options.seed, self.started) if options.live_data else None

    def knowledge_collections(self) -> list[ObjectCollection]:
        return [
            self.saved_searches,
            self.views,
            self.macros,
            self.lookup_files,
            self.lookup_definitions,
            self.kv_collections,
            self.eventtypes,
            self.passwords,
        ]

    def feed_live(self) -> None:
        """Index the live events that are due (a no-op without live data)."""
        if self.live is not None:
            for index, events in self.live.due().items():
                self.add_events(index, events)

    # -- indexes ------------------------------------------------------------------------------------------
    def add_events(self, index: str, events: Iterable[Event]) -> int:
        with self.config_lock:
            target = self.indexes.get(index)
            if target is None:
                target = Index(index)
                self.indexes = {**self.indexes, index: target}  # copy on write: searches iterate the old dict
        return target.add(events)

    def searchable_indexes(self, user: User) -> list[str]:
        patterns = self.accounts.index_patterns(user)
        return [name for name in self.indexes if index_allowed(name, patterns)]

    def default_indexes(self, user: User) -> list[str]:
        allowed = set(self.searchable_indexes(user))
        return [name for name in self.accounts.default_indexes(user) if name in allowed]

    # -- KV Store -----------------------------------------------------------------------------------------
    def kv_records(self, collection: str, app: str = "search") -> dict[str, Document]:
        """The records of ``app``'s collection: each app has its own collections, as in splunkd."""
        with self.kv_lock:
            return self.kv_data.setdefault((app, collection), {})
