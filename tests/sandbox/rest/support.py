"""Helpers for driving the sandbox with the real splunklib and with raw httpx.

Expected answers in these tests are computed from ``Sandbox.events()`` with the regular expressions below,
written from the log formats' specifications, never from the sandbox's own extraction code.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx
import splunklib.client as client
import splunklib.results as results

from mcp_splunk.sandbox import Event, Sandbox

ADMIN = ("admin", "changeme")
ANALYST = ("analyst", "analyst-pass")
T = TypeVar("T")

ACCESS_COMBINED = re.compile(
    r"(?P<clientip>\d{1,3}(?:\.\d{1,3}){3}) \S+ (?P<user>\S+) \[[^\]]+\] "
    r'"(?P<method>[A-Z]+) (?P<uri>\S+) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+|-) "[^"]*" "[^"]*"'
)
SSH_FAILED = re.compile(r"sshd\[\d+\]: Failed \w+ for (?:invalid user )?(?P<user>\S+) from (?P<src>[\d.]+) port")


def connect(sandbox: Sandbox, credentials: tuple[str, str] = ADMIN, **kwargs: Any) -> client.Service:
    """A splunklib Service logged in to ``sandbox`` with a password."""
    username, password = credentials
    return client.connect(
        host=sandbox.host,
        port=sandbox.port,
        scheme=sandbox.scheme,
        username=username,
        password=password,
        **kwargs,
    )


def final_rows(stream: Any) -> list[dict[str, Any]]:
    """The final (non-preview) result rows of a JSON results or export stream."""
    reader = results.JSONResultsReader(stream)
    return [item for item in reader if isinstance(item, dict) and not reader.is_preview]


def oneshot(service: client.Service, spl: str, **kwargs: Any) -> list[dict[str, Any]]:
    return final_rows(service.jobs.oneshot(spl, output_mode="json", count=0, **kwargs))


def wait_for(predicate: Callable[[], T], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def wait_done(job: client.Job, timeout: float = 20.0) -> client.Job:
    wait_for(job.is_done, timeout, f"job {job.sid} to finish")
    return job


def session_key(sandbox: Sandbox, credentials: tuple[str, str] = ADMIN) -> str:
    username, password = credentials
    response = httpx.post(f"{sandbox.url}/services/auth/login", data={"username": username, "password": password})
    response.raise_for_status()
    key = ET.fromstring(response.content).findtext("sessionKey")
    assert key
    return key


def raw_client(sandbox: Sandbox, credentials: tuple[str, str] | None = ADMIN, **kwargs: Any) -> httpx.Client:
    """An httpx client for ``sandbox``, authenticated with a session key unless ``credentials`` is None."""
    headers = {"Authorization": f"Splunk {session_key(sandbox, credentials)}"} if credentials else {}
    return httpx.Client(base_url=sandbox.url, headers=headers, timeout=30, **kwargs)


def xml_messages(body: bytes) -> list[tuple[str, str]]:
    """The ``<response><messages><msg type=…>`` envelope of a splunkd error, as (type, text) pairs."""
    root = ET.fromstring(body)
    assert root.tag == "response", body[:200]
    return [(msg.get("type", ""), msg.text or "") for msg in root.iterfind("./messages/msg")]


def json_messages(body: bytes) -> list[tuple[str, str]]:
    document = json.loads(body)
    return [(m["type"], m["text"]) for m in document["messages"]]


def atom_entries(body: bytes) -> list[str]:
    """The entry titles of an Atom feed."""
    atom = "{http://www.w3.org/2005/Atom}"
    return [e.findtext(f"{atom}title") or "" for e in ET.fromstring(body).iter(f"{atom}entry")]


def in_window(events: Iterable[Event], earliest: float, latest: float) -> list[Event]:
    return [e for e in events if earliest <= e.time < latest]


def access_fields(events: Iterable[Event]) -> list[dict[str, str]]:
    """The access_combined fields of web events, parsed independently of the sandbox."""
    parsed = []
    for event in events:
        match = ACCESS_COMBINED.match(event.raw)
        assert match, event.raw
        parsed.append({**match.groupdict(), "host": event.host, "_time": str(event.time)})
    return parsed


def time_window(sandbox: Sandbox, index: str, margin: float = 3600.0) -> tuple[float, float]:
    """An absolute [earliest, latest) window inside the span of ``index``'s events, as whole seconds."""
    events = sandbox.events(index)
    return float(int(events[0].time + margin)), float(int(events[-1].time - margin))
