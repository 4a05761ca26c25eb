"""Splunk configs bound to stateful MCP sessions (handshake-era clients on a stateful server).

The key is the server-issued ``Mcp-Session-Id``, which the MCP SDK validates before any handler runs; never a
client-chosen value such as ``X-Session-ID``. Entries are dropped when the session is deleted, expire with the
session's idle timeout, and the store is bounded in size.
"""

from __future__ import annotations

from mcp_splunk._cache import BoundedTTLCache
from mcp_splunk.splunk.config import SplunkConfig


class SessionConfigs:
    def __init__(self, *, max_size: int, idle_seconds: float) -> None:
        self._configs: BoundedTTLCache[str, SplunkConfig] = BoundedTTLCache(max_size, idle_seconds)

    def bind(self, session_id: str, config: SplunkConfig) -> None:
        self._configs.put(session_id, config)

    def get(self, session_id: str) -> SplunkConfig | None:
        return self._configs.get(session_id)

    def release(self, session_id: str) -> None:
        self._configs.pop(session_id)

    def __len__(self) -> int:
        return len(self._configs)
