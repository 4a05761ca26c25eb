"""Splunk operations as plain functions of a splunklib ``Service``, returning plain data.

Tools call these through ``ConnectionPool.run``, which supplies the service and runs them on a worker thread.
Reads use ``output_mode=json`` (real JSON types, one parser); jobs go through splunklib's ``Job`` so the v1/v2
job API choice stays splunklib's, driven by the server's version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from splunklib import client

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[JSON]  # each: {"name", "content", "acl", "author", "links"}
    total: int
    offset: int


@dataclass(frozen=True, slots=True)
class ResultsPage:
    fields: list[str]
    rows: list[JSON]
    messages: list[JSON] = field(default_factory=list)
    preview: bool = False


def _json_body(response: Any) -> Any:
    """JSON from a splunklib response record, or from a bare body stream (what ``Job.results`` returns)."""
    raw = (response.body if hasattr(response, "body") else response).read()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise ValueError("the body is not JSON") from None  # the error seam reports it


def read_entries(
    service: client.Service,
    path: str,
    *,
    count: int = 0,
    offset: int = 0,
    owner: str | None = None,
    app: str | None = None,
    **query: Any,
) -> EntryPage:
    """A collection (or one entity) as plain entries, via the JSON envelope."""
    response = service.get(path, owner=owner, app=app, output_mode="json", count=count, offset=offset, **query)
    document = _json_body(response) or {}
    entries = [
        {
            "name": e.get("name", ""),
            "content": e.get("content", {}) or {},
            "acl": e.get("acl", {}) or {},
            "author": e.get("author", ""),
            "links": e.get("links", {}) or {},
        }
        for e in document.get("entry", [])
    ]
    paging = document.get("paging", {}) or {}
    return EntryPage(entries, int(paging.get("total", len(entries))), int(paging.get("offset", offset)))


def server_info(service: client.Service) -> JSON:
    page = read_entries(service, "server/info")
    return dict(page.entries[0]["content"]) if page.entries else {}


def current_context(service: client.Service) -> JSON:
    page = read_entries(service, "authentication/current-context")
    return dict(page.entries[0]["content"]) if page.entries else {}


# -- search jobs -----------------------------------------------------------------------------------------
def jobs_path(service: client.Service) -> str:
    return "search/jobs/" if service.disable_v2_api else "search/v2/jobs/"


def create_job(service: client.Service, query: str, **params: Any) -> str:
    job = service.jobs.create(query, **params)
    return str(job.sid)


def job_status(service: client.Service, sid: str) -> JSON:
    """The job's status content; ``dispatchState`` QUEUED while splunkd answers 204 (not started yet)."""
    response = service.get(jobs_path(service) + sid, output_mode="json")
    if response.status == 204:
        return {"sid": sid, "dispatchState": "QUEUED", "isDone": False, "doneProgress": 0}
    document = _json_body(response) or {}
    entries = document.get("entry", [])
    if not entries:
        raise ValueError("a job status without an entry")
    content: JSON = dict(entries[0].get("content", {}))
    content.setdefault("sid", sid)
    return content


def job_owner(service: client.Service, sid: str) -> str | None:
    """The Splunk user who owns the job (its ``eai:acl`` owner, else the entry's author); None while splunkd
    answers 204, which it does until a new job has started."""
    response = service.get(jobs_path(service) + sid, output_mode="json")
    if response.status == 204:
        return None
    entries = (_json_body(response) or {}).get("entry", [])
    if not entries:
        raise ValueError("a job status without an entry")
    owner = (entries[0].get("acl") or {}).get("owner") or entries[0].get("author")
    return str(owner) if owner else None


def list_jobs(service: client.Service, *, count: int) -> list[JSON]:
    """The jobs splunkd shows the caller (their own; every user's for an admin), at most ``count``, each with its
    ``content``, ``acl`` and ``published`` (creation) time."""
    document = _json_body(service.get(jobs_path(service), output_mode="json", count=count)) or {}
    return [
        {
            "content": e.get("content") or {},
            "acl": e.get("acl") or {},
            # splunkd dates the job's entry; the sandbox carries the same time in the content.
            "published": e.get("published") or (e.get("content") or {}).get("published") or "",
        }
        for e in document.get("entry", [])
    ]


def touch_job(service: client.Service, sid: str, ttl: int | None) -> None:
    """Restart the job's expiry clock (``touch``), or set a new TTL from now (``setttl``)."""
    job = client.Job(service, sid)
    if ttl is None:
        job.touch()
    else:
        job.set_ttl(ttl)


def job_results(
    service: client.Service, sid: str, *, offset: int = 0, count: int = 100, kind: str = "results"
) -> ResultsPage:
    job = client.Job(service, sid)
    fetch = {"results": job.results, "results_preview": job.preview, "events": job.events}[kind]
    stream = fetch(output_mode="json", offset=offset, count=count)
    document = _json_body(stream) or {}
    fields = [f["name"] if isinstance(f, dict) else str(f) for f in document.get("fields", [])]
    return ResultsPage(
        fields,
        list(document.get("results", [])),
        list(document.get("messages", [])),
        bool(document.get("preview", False)),
    )


def oneshot(service: client.Service, query: str, **params: Any) -> ResultsPage:
    """Run a search to completion in one request (for short, bounded searches such as discovery)."""
    stream = service.jobs.oneshot(query, output_mode="json", **params)
    document = _json_body(stream) or {}
    fields = [f["name"] if isinstance(f, dict) else str(f) for f in document.get("fields", [])]
    return ResultsPage(fields, list(document.get("results", [])), list(document.get("messages", [])))


def cancel_job(service: client.Service, sid: str) -> None:
    client.Job(service, sid).cancel()


def parse_spl(service: client.Service, query: str) -> JSON:
    response = service.parse(query, output_mode="json", parse_only=True)
    document = _json_body(response)
    if not isinstance(document, dict):
        raise ValueError("a search parser answer that is not an object")
    return document
