"""Saved searches, and the fired-alert history of the scheduled one, computed from the brute-force bursts."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Mapping

from mcp_splunk.sandbox.data.auth_logs import brute_force_bursts
from mcp_splunk.sandbox.data.clock import SECOND_MS, Window
from mcp_splunk.sandbox.data.objects import Acl, Entity

WEB_ERRORS = "Web errors by host"
FAILED_LOGINS = "Failed logins by source"
TOP_URIS = "Top URIs"

ACL = Acl("admin", "search", "app")
# cron "*/15 * * * *" with dispatch.earliest_time -15m: consecutive runs cover every second once.
_PERIOD_S = 15 * 60
_THRESHOLD = 5  # "| where count > 5"
_SEVERITY = "4"
_EXPIRES_S = 24 * 3600  # alert.expires = 24h
_DISPATCH_DELAY_S = 2  # the scheduler fires a moment after the cron time, once the search has run


def _rendered(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def _saved_search(name: str, search: str, description: str, overrides: Mapping[str, str] | None = None) -> Entity:
    content = {
        "search": search,
        "description": description,
        "disabled": "0",
        "is_scheduled": "0",
        "is_visible": "1",
        "cron_schedule": "",
        "next_scheduled_time": "",
        "dispatch.earliest_time": "-24h",
        "dispatch.latest_time": "now",
        "actions": "",
        "action.email": "0",
        "action.email.to": "",
        "alert_type": "always",
        "alert_comparator": "",
        "alert_threshold": "",
        "alert_condition": "",
        "alert.severity": "3",
        "alert.track": "0",
        "alert.digest_mode": "1",
        "alert.expires": "24h",
        "alert.suppress": "0",
        "request.ui_dispatch_app": "search",
        "request.ui_dispatch_view": "search",
    }
    content.update(overrides or {})
    return Entity(name, ACL, content)


def saved_searches(*, now: float, fired_alerts: int) -> tuple[Entity, ...]:
    next_run = (int(now) // _PERIOD_S + 1) * _PERIOD_S
    return (
        _saved_search(
            WEB_ERRORS,
            "search index=web status>=500 | stats count by host",
            "Server errors (5xx) per web server.",
        ),
        _saved_search(
            FAILED_LOGINS,
            ('search index=security sourcetype=linux_secure "Failed password" | stats count by src | where count > 5'),
            "SSH brute force: sources with more than five failed logins in the last 15 minutes.",
            {
                "is_scheduled": "1",
                "cron_schedule": "*/15 * * * *",
                "next_scheduled_time": _rendered(next_run),
                "dispatch.earliest_time": "-15m",
                "actions": "email",
                "action.email": "1",
                "action.email.to": "soc@example.com",
                "alert_type": "number of events",
                "alert_comparator": "greater than",
                "alert_threshold": "0",
                "alert.severity": _SEVERITY,
                "alert.track": "1",
                "triggered_alert_count": str(fired_alerts),
            },
        ),
        _saved_search(TOP_URIS, "search index=web | top limit=10 uri", "The ten most requested URIs."),
    )


def fired_alerts(*, now: float, seed: int) -> tuple[Entity, ...]:
    """The runs of "Failed logins by source" in the last 24 hours that found a source over the threshold.

    The runs' windows reach 15 minutes before the day, so the bursts are taken from a two-day window (they do
    not depend on the window's length).
    """
    counts: Counter[tuple[int, str]] = Counter()
    for burst in brute_force_bursts(seed, Window.ending(now, 2)):
        for ms in burst.times:
            # The run at cron time t searches [t - 15m, t).
            counts[((ms // SECOND_MS) // _PERIOD_S + 1) * _PERIOD_S, burst.src] += 1
    runs = sorted({run for (run, _), count in counts.items() if count > _THRESHOLD})
    search_hash = hashlib.md5(FAILED_LOGINS.encode(), usedforsecurity=False).hexdigest()[:16]
    alerts = []
    for run in runs:
        trigger = run + _DISPATCH_DELAY_S
        if not now - 86400 < trigger <= now:
            continue
        # The scheduler numbers its jobs: here, the run's quarter hour of the (UTC) day.
        sid = f"scheduler__admin__search__RMD5{search_hash}_at_{run}_{run % 86400 // _PERIOD_S}"
        content = {
            "savedsearch_name": FAILED_LOGINS,
            "sid": sid,
            "trigger_time": str(trigger),
            "trigger_time_rendered": _rendered(trigger),
            "severity": _SEVERITY,
            "triggered_alerts": "1",  # digest mode: one alert per run
            "digest_mode": "1",
            "alert_type": "historical",  # a scheduled search, not a real-time one
            "actions": "email",
            "expiration_time": str(trigger + _EXPIRES_S),
            "expiration_time_rendered": _rendered(trigger + _EXPIRES_S),
        }
        alerts.append(Entity(sid, ACL, content))
    return tuple(alerts)
