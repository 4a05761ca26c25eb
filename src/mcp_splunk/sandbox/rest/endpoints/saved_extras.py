"""saved/searches/{name}/scheduled_times and /suppress: a saved search's schedule and its alert suppression.

``scheduled_times`` lists the cron schedule's run times in a time range (splunklib's default: the next hour);
``suppress`` reports or sets how long the search's alerts stay suppressed (``expiration=0`` lifts it).
"""

from __future__ import annotations

import time

from mcp_splunk.sandbox.rest.endpoints.saved import PATH, saved_entry
from mcp_splunk.sandbox.rest.entries import Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.spl import SplError, resolve_time
from mcp_splunk.sandbox.state import SandboxState

MAX_SCHEDULED_TIMES = 10_000  # a "* * * * *" schedule over a year would otherwise list half a million


def _bound(req: SplunkdRequest, key: str, default: str, now: float) -> float:
    value = req.get(key) or default
    try:
        return resolve_time(value, now)
    except SplError as exc:
        raise SplunkdError(400, f"Invalid {key} '{value[:64]}': {exc}") from None


def scheduled_times(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    # Imported here: only this endpoint needs cron arithmetic, and the sandbox must start fast.
    from croniter import CroniterError, croniter  # noqa: PLC0415

    obj = state.saved_searches.get(params["name"], req.require_user(), req.namespace())
    now = time.time()
    earliest = _bound(req, "earliest_time", "now", now)
    latest = _bound(req, "latest_time", "+1h", now)
    entry = saved_entry(state, obj)
    schedule = str(entry.content.get("cron_schedule") or "")
    times: list[int] = []
    if schedule and entry.content.get("is_scheduled") in (True, "1"):
        try:
            runs = croniter(schedule, earliest - 1)
        except (CroniterError, ValueError):
            raise SplunkdError(400, f"Invalid cron_schedule '{schedule[:64]}'.") from None
        while len(times) < MAX_SCHEDULED_TIMES and (at := runs.get_next(float)) < latest:
            times.append(int(at))
    entry.content = {**entry.content, "scheduled_times": times}
    return FeedReply(Feed("savedsearch", PATH, [entry]))


def _suppression(state: SandboxState, key: tuple[str, str, str], now: float) -> int:
    until = state.suppressed_until.get(key, 0.0)
    return max(0, int(until - now))


def suppress(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    user, ns = req.require_user(), req.namespace()
    obj = state.saved_searches.get(params["name"], user, ns)
    key = (obj.name, obj.acl.app, obj.acl.namespace_owner)
    now = time.time()
    if req.method == "POST":
        if not state.saved_searches.can_write(obj, user):
            raise SplunkdError(403, f"You do not have permission to modify savedsearch object {obj.name}.")
        expiration = req.int_param("expiration", 0)
        if expiration:
            state.suppressed_until[key] = now + expiration
        else:
            state.suppressed_until.pop(key, None)
    remaining = _suppression(state, key, now)
    entry = saved_entry(state, obj)
    entry.content = {
        "suppressed": remaining > 0,
        "expiration": remaining,
        "suppressionKey": f"{obj.name}:{obj.acl.app}:{obj.acl.namespace_owner}",
    }
    return FeedReply(Feed("savedsearch", PATH, [entry]))


ROUTES = [
    *route("GET", f"{PATH}/{{name}}/scheduled_times", scheduled_times),
    *route("GET POST", f"{PATH}/{{name}}/suppress", suppress),
]
