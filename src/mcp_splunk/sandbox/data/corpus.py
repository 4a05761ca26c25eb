"""The sandbox's sample events: a week of a small web shop's logs in four indexes.

Everything is derived from ``(now, seed)``: each index has its own ``random.Random`` derived from the seed, so
changing one generator does not shift the others. Two stories run through the data: SSH brute-force bursts in
``security`` (which the "Failed logins by source" alert catches), and a 40-minute payment-provider incident
in the last day that shows as checkout errors in ``main`` and 5xx responses on ``/api/checkout`` in ``web``.

Generating the default corpus (about 38,000 events at ``days=7``) takes about 130 ms on the 2-core development
machine (median of 20 calls timed with ``time.perf_counter``; 115-155 ms over the runs).
"""

from __future__ import annotations

from mcp_splunk.sandbox.data.app_logs import main_events
from mcp_splunk.sandbox.data.auth_logs import brute_force_bursts, security_events
from mcp_splunk.sandbox.data.clock import HOUR_MS, MINUTE_MS, Window
from mcp_splunk.sandbox.data.internal import internal_events
from mcp_splunk.sandbox.data.seeding import derived_rng
from mcp_splunk.sandbox.data.web import web_events
from mcp_splunk.sandbox.events import Event


def payment_incident(seed: int, window: Window) -> Window:
    """The 40 minutes during which the payment provider is degraded: they end 3 to 20 hours before now."""
    rng = derived_rng(seed, "incident")
    end_ms = window.end_ms - rng.randint(3 * HOUR_MS, 20 * HOUR_MS)
    return Window(end_ms - 40 * MINUTE_MS, end_ms)


def generate_events(*, now: float, seed: int = 42, days: int = 7) -> dict[str, list[Event]]:
    """Events per index, each list sorted by time, all in ``(now - days * 86400, now]``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    window = Window.ending(now, days)
    incident = payment_incident(seed, window)
    return {
        "main": main_events(derived_rng(seed, "main"), window, incident),
        "web": web_events(derived_rng(seed, "web"), window, incident),
        "security": security_events(derived_rng(seed, "security"), window, brute_force_bursts(seed, window)),
        "_internal": internal_events(derived_rng(seed, "_internal"), window),
    }
