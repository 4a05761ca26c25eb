"""How the gateway lives with an unreachable Redis: refuse or fall back, say so once, and recover by itself.

After a failure, Redis is tried again at most once per ``retry_seconds`` (calls in between take the configured
failure path at once instead of each waiting for a timeout); the first success ends the outage.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Final, Literal

from mcp_splunk.errors import StateUnavailable

logger = logging.getLogger("mcp_splunk.state")

FailureMode = Literal["closed", "open"]
SETTING: Final = "MCP_SPLUNK_STATE_URL"
_FALLBACK: Final = {"closed": "refusing calls that need it", "open": "using this replica's own state"}


class Outage:
    """Whether shared state is usable now, and the one log line per change of that."""

    def __init__(self, mode: FailureMode, *, retry_seconds: float = 1.0) -> None:
        self.mode = mode
        self.retry_seconds = retry_seconds
        self._down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def status(self) -> str:
        """For /health: what the last attempt found ("ok" until one fails; nothing is probed for it)."""
        return f"unreachable ({self.mode}: {_FALLBACK[self.mode]})" if self.down else "ok"

    def should_try(self) -> bool:
        """True while healthy, and once per retry interval during an outage."""
        with self._lock:
            if self._down_since is None:
                return True
            now = time.monotonic()
            if now < self._next_try:
                return False
            self._next_try = now + self.retry_seconds
            return True

    def failed(self, what: str) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
            self._next_try = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "Shared state (%s) is unreachable (%s): %s until it answers again.", SETTING, what, _FALLBACK[self.mode]
            )

    def recovered(self) -> None:
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.warning("Shared state (%s) answers again after %.1f s.", SETTING, time.monotonic() - since)

    def refusal(self, need: str) -> StateUnavailable:
        return StateUnavailable(
            f"The gateway cannot reach its shared state ({SETTING}), which {need} needs, and the operator chose to "
            "refuse such calls meanwhile (MCP_SPLUNK_STATE_FAILURE=closed). Retry shortly; if it persists, tell the "
            "operator."
        )
