"""The ``SearchContext`` the SPL engine runs against: one user's view of the sandbox.

Role restrictions live here and only here: an index the user may not search has no events, lookups and
``| rest`` rows come through the same visibility rules as the REST endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mcp_splunk.sandbox.accounts import User
from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.objects import Namespace
from mcp_splunk.sandbox.rest.replies import SplunkdError
from mcp_splunk.sandbox.spl.context import MacroDefinition
from mcp_splunk.sandbox.state import SandboxState


class SandboxSearchContext:
    def __init__(self, state: SandboxState, user: User, now: float, app: str = "search") -> None:
        self._state = state
        self._user = user
        self._now = now
        self._namespace = Namespace(user.name, app)
        self._allowed = frozenset(state.searchable_indexes(user))

    @property
    def now(self) -> float:
        return self._now

    @property
    def user(self) -> str:
        return self._user.name

    def searchable_indexes(self) -> Sequence[str]:
        return [name for name in self._state.indexes if name in self._allowed]

    def default_indexes(self) -> Sequence[str]:
        return self._state.default_indexes(self._user)

    def events(self, index: str) -> Sequence[Event]:
        if index not in self._allowed:
            return ()
        found = self._state.indexes.get(index)
        return found.events if found is not None else ()

    def lookup_rows(self, name: str) -> list[dict[str, str]] | None:
        state = self._state
        if name in state.lookup_tables and self._visible(state.lookup_files, name):
            return [dict(row) for row in state.lookup_tables[name]]
        if not self._visible(state.lookup_definitions, name):
            return None
        definition = state.lookup_definitions.get(name, self._user, self._namespace)
        content = definition.content
        filename = content.get("filename")
        if filename:
            return [dict(row) for row in state.lookup_tables.get(str(filename), [])]
        if content.get("external_type") == "kvstore":
            fields = [f.strip() for f in str(content.get("fields_list", "")).split(",") if f.strip()]
            with state.kv_lock:
                records = list(state.kv_records(str(content.get("collection", "")), definition.acl.app).values())
            return [{f: _text(r.get(f)) for f in fields or r.keys() if r.get(f) is not None} for r in records]
        return None

    def macro(self, name: str, argc: int) -> MacroDefinition | None:
        stanza = name if argc == 0 else f"{name}({argc})"
        if not self._visible(self._state.macros, stanza):
            return None
        content = self._state.macros.get(stanza, self._user, self._namespace).content
        args = tuple(a.strip() for a in str(content.get("args") or "").split(",") if a.strip())
        return MacroDefinition(stanza, args, str(content.get("definition", "")))

    def rest(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        bridge = self._state.rest_bridge
        if bridge is None:
            raise LookupError(path)
        return bridge(self._user, path, params)

    def _visible(self, collection: Any, name: str) -> bool:
        try:
            collection.get(name, self._user, self._namespace)
        except SplunkdError:
            return False
        return True


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
