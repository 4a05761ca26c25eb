"""saved/searches (list, get, create, update, delete, dispatch, history) and alerts/fired_alerts.

A dispatch with ``trigger_actions=1`` evaluates the alert condition when the job finishes and, if it holds,
records a fired alert, as splunkd's scheduler does; with actions suppressed nothing is recorded.
"""

from __future__ import annotations

import re
import time
from typing import Any

from mcp_splunk.sandbox.data.savedsearch_defaults import DISPLAY_DEFAULTS, SAVED_SEARCH_DEFAULTS
from mcp_splunk.sandbox.jobs import Job
from mcp_splunk.sandbox.objects import KnowledgeObject
from mcp_splunk.sandbox.rest.endpoints.jobs import dispatch, prepare
from mcp_splunk.sandbox.rest.entries import Acl, Entry, Feed
from mcp_splunk.sandbox.rest.replies import DocumentReply, FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest, normalise_booleans
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import FiredAlert, SandboxState

PATH = "saved/searches"
DEFAULTS: dict[str, Any] = {**SAVED_SEARCH_DEFAULTS, **DISPLAY_DEFAULTS}
_BOOLEANS = frozenset(k for k, v in DEFAULTS.items() if isinstance(v, bool))
_SETTABLE = frozenset(DEFAULTS) | {"name"}
_TOKEN = re.compile(r"\$[^$\s]+\$")


def qualified(search: str) -> str:
    """The SPL splunkd dispatches for a saved search: ``search`` is implied unless it starts with a pipe."""
    text = search.strip()
    return text if text.startswith("|") or text.lower().startswith("search ") else f"search {text}"


def saved_entry(state: SandboxState, obj: KnowledgeObject) -> Entry:
    content = {**DEFAULTS, **obj.content}
    with state.alerts_lock:
        content["triggered_alert_count"] = sum(1 for a in state.fired_alerts if a.savedsearch_name == obj.name)
    content["qualifiedSearch"] = qualified(str(content.get("search", "")))
    links = ("dispatch", "history", "scheduled_times", "suppress")
    return Entry(obj.name, PATH, content, obj.acl, obj.acl.owner, extra_links=links)


def _changes(req: SplunkdRequest) -> dict[str, Any]:
    form = req.form()
    unknown = sorted(
        k
        for k in form
        if k not in _SETTABLE and not k.startswith(("action.", "dispatch.", "alert.", "args.", "display."))
    )
    if unknown:
        raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
    return normalise_booleans({k: v for k, v in form.items() if k != "name"}, _BOOLEANS)


def _validate_search(state: SandboxState, req: SplunkdRequest, search: str) -> None:
    # $name$ tokens are filled from args.* at dispatch; until then the search cannot be judged.
    if not _TOKEN.search(search):
        prepare(state, req, qualified(search), now=time.time())


def list_saved(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    objects = state.saved_searches.visible(req.require_user(), req.namespace())
    entries = [saved_entry(state, o) for o in objects]
    return FeedReply(req.list_query().apply("savedsearch", PATH, entries, create_link=True))


def get_saved(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    found = state.saved_searches.find(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed("savedsearch", PATH, [saved_entry(state, o) for o in found]))


def create_saved(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    name = (req.get("name") or "").strip()
    changes = _changes(req)
    search = changes.get("search", "")
    if not search:
        raise SplunkdError(400, "In handler 'savedsearch': Missing argument: search")
    _validate_search(state, req, search)
    obj = state.saved_searches.create(name, req.require_user(), req.namespace(), changes, time.time())
    return FeedReply(Feed("savedsearch", PATH, [saved_entry(state, obj)]), status=201)


def update_saved(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    changes = _changes(req)
    if "search" in changes:
        _validate_search(state, req, changes["search"])
    obj = state.saved_searches.update(
        params["name"],
        req.require_user(),
        req.namespace(),
        lambda content: content.update(changes),
        time.time(),
    )
    return FeedReply(Feed("savedsearch", PATH, [saved_entry(state, obj)]))


def delete_saved(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    state.saved_searches.delete(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed("savedsearch", PATH, []))


def dispatch_saved(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = state.saved_searches.get(params["name"], req.require_user(), req.namespace())
    content = {**DEFAULTS, **obj.content}
    search = str(content["search"])
    for key, value in req.params.items():
        if key.startswith("args."):
            search = search.replace(f"${key[5:]}$", value[-1])
    for key in ("earliest_time", "latest_time"):
        override = req.get(f"dispatch.{key}")
        chosen = override if override is not None else content.get(f"dispatch.{key}")
        if chosen:
            req.params[key] = [str(chosen)]
        else:
            req.params.pop(key, None)
    on_done = (lambda job: _evaluate_alert(state, obj.name, content, job)) if req.flag("trigger_actions") else None
    ttl = _dispatch_ttl(req.get("dispatch.ttl") or str(content.get("dispatch.ttl", "")), state.options.job_ttl)
    # splunkd runs a saved search with its owner's rights unless dispatchAs says "user".
    owner = state.accounts.user(obj.acl.owner) if content.get("dispatchAs", "owner") == "owner" else None
    job = dispatch(
        state, req, qualified(search), saved_search=obj.name, label=obj.name, on_done=on_done, ttl=ttl, run_as=owner
    )
    return DocumentReply(201, f"  <sid>{job.sid}</sid>\n", {"sid": job.sid})


def _dispatch_ttl(value: str, default: int) -> int:
    """``dispatch.ttl``: seconds, or ``<n>p`` for n schedule periods (taken as n x 10 minutes here)."""
    text = value.strip().lower()
    try:
        return max(1, int(text[:-1]) * 600 if text.endswith("p") else int(text))
    except ValueError:
        return default


def _evaluate_alert(state: SandboxState, name: str, content: dict[str, Any], job: Job) -> None:
    if job.result is None:
        return
    alert_type = str(content.get("alert_type", "always"))
    count = job.result.event_count if alert_type == "number of events" else len(job.result.results)
    threshold = float(content.get("alert_threshold") or 0)
    comparator = str(content.get("alert_comparator", ""))
    fires = alert_type == "always" or {
        "greater than": count > threshold,
        "less than": count < threshold,
        "equal to": count == threshold,
        "not equal to": count != threshold,
    }.get(comparator, count > 0)
    if not fires:
        return
    now = time.time()
    with state.alerts_lock:
        state.fired_alerts.append(
            FiredAlert(
                sid=job.sid,
                savedsearch_name=name,
                trigger_time=now,
                severity=int(content.get("alert.severity", 3)),
                triggered_alerts=1,
                alert_type=alert_type,
                digest_mode=bool(content.get("alert.digest_mode", True)),
                expiration_time=now + 86400,
                app=job.app,
                owner=job.owner,
            )
        )


def history(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    obj = state.saved_searches.get(params["name"], req.require_user(), req.namespace())
    entries = [
        Entry(
            job.sid,
            "search/jobs",
            {"sid": job.sid, "dispatchState": job.state, "isDone": job.is_done},
            Acl(owner=job.owner, app=job.app, sharing="global"),
            job.owner,
            namespaced=False,
        )
        for job in state.jobs.list()
        if job.saved_search == obj.name
    ]
    return FeedReply(req.list_query().apply(obj.name, f"{PATH}/{obj.name}/history", entries))


# -- fired alerts ----------------------------------------------------------------------------------------
def _readable_alerts(state: SandboxState, req: SplunkdRequest) -> list[FiredAlert]:
    user = req.require_user()
    names = {o.name for o in state.saved_searches.visible(user, req.namespace())}
    with state.alerts_lock:
        return [a for a in state.fired_alerts if a.savedsearch_name in names]


def list_fired_groups(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    alerts = _readable_alerts(state, req)
    counts: dict[str, int] = {"-": len(alerts)}
    for alert in alerts:
        counts[alert.savedsearch_name] = counts.get(alert.savedsearch_name, 0) + 1
    acl = Acl(owner="nobody", app="search", sharing="app", write=("admin",))
    entries = [Entry(n, "alerts/fired_alerts", {"triggered_alert_count": c}, acl, "nobody") for n, c in counts.items()]
    return FeedReply(req.list_query().apply("fired_alerts", "alerts/fired_alerts", entries))


def list_fired(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    name = params["name"]
    alerts = [a for a in _readable_alerts(state, req) if name in ("-", a.savedsearch_name)]
    if name != "-" and not alerts:
        state.saved_searches.get(name, req.require_user(), req.namespace())  # 404 for an unknown search
    entries = [
        Entry(
            a.sid,
            f"alerts/fired_alerts/{name}",
            {
                "savedsearch_name": a.savedsearch_name,
                "sid": a.sid,
                "trigger_time": int(a.trigger_time),
                "trigger_time_rendered": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(a.trigger_time)),
                "severity": a.severity,
                "triggered_alerts": a.triggered_alerts,
                "alert_type": a.alert_type,
                "digest_mode": a.digest_mode,
                "expiration_time_rendered": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(a.expiration_time)),
            },
            Acl(owner=a.owner, app=a.app, sharing="app"),
            a.owner,
        )
        for a in sorted(alerts, key=lambda a: a.trigger_time, reverse=True)
    ]
    return FeedReply(req.list_query().apply(name, f"alerts/fired_alerts/{name}", entries))


ROUTES = [
    *route("GET", PATH, list_saved),
    *route("POST", PATH, create_saved),
    *route("GET", f"{PATH}/{{name}}", get_saved),
    *route("POST", f"{PATH}/{{name}}", update_saved),
    *route("DELETE", f"{PATH}/{{name}}", delete_saved),
    *route("POST", f"{PATH}/{{name}}/dispatch", dispatch_saved),
    *route("GET", f"{PATH}/{{name}}/history", history),
    *route("GET", "alerts/fired_alerts", list_fired_groups),
    *route("GET", "alerts/fired_alerts/{name}", list_fired),
]
