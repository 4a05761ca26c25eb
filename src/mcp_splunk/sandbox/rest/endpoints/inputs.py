"""Receiving data: the HTTP Event Collector (``collector/event``, ``collector/raw``, ``collector/health``) and
``receivers/simple``, so that tests and demos can send their own events and search them straight away.

HEC authenticates with its own tokens (``Authorization: Splunk <hec-token>``), not splunkd sessions, and answers
in its own JSON shape (``{"text": "Success", "code": 0}``; the codes are HEC's documented ones). Events sent
without an index go to the token's default index.
"""

from __future__ import annotations

import json
import time
from typing import Any
from xml.sax.saxutils import escape

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.rest.atom import render_response
from mcp_splunk.sandbox.rest.jsonfmt import dumps
from mcp_splunk.sandbox.rest.replies import BodyReply, Reply, SplunkdError, forbidden
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

_JSON = "application/json; charset=UTF-8"
_XML = "text/xml; charset=UTF-8"
HEC_SOURCETYPE = "httpevent"


class HecError(Exception):
    def __init__(self, status: int, text: str, code: int, event_number: int | None = None) -> None:
        super().__init__(text)
        self.reply: dict[str, Any] = {"text": text, "code": code}
        if event_number is not None:
            self.reply["invalid-event-number"] = event_number
        self.status = status


def _hec_reply(status: int, body: dict[str, Any]) -> BodyReply:
    return BodyReply(status, dumps(body).encode(), _JSON)


def _token(state: SandboxState, req: SplunkdRequest) -> str:
    """The default index of the request's HEC token."""
    header = req.headers.get("authorization", "").strip()
    if not header:
        raise HecError(401, "Token is required", 2)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "splunk" or not token.strip():
        raise HecError(401, "Invalid authorization", 3)
    with state.config_lock:
        index = state.hec_tokens.get(token.strip())
    if index is None:
        raise HecError(403, "Invalid token", 4)
    return index


def _checked_index(state: SandboxState, name: str, number: int) -> str:
    if name not in state.indexes:
        raise HecError(400, "Incorrect index", 7, number)
    return name


def _hec_events(state: SandboxState, body: bytes, default_index: str, now: float) -> list[Event]:
    """HEC's event format: one or more JSON objects one after another (not an array)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HecError(400, "Invalid data format", 6, 0) from None
    if not text.strip():
        raise HecError(400, "No data", 5)
    decoder, position = json.JSONDecoder(), 0
    events: list[Event] = []
    while (position := _skip_space(text, position)) < len(text):
        number = len(events)
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            raise HecError(400, "Invalid data format", 6, number) from None
        if not isinstance(item, dict) or "event" not in item:
            raise HecError(400, "Event field is required", 12, number)
        event = item["event"]
        if event in ("", None):
            raise HecError(400, "Event field cannot be blank", 13, number)
        try:
            stamp = float(item.get("time", now))
        except (TypeError, ValueError):
            raise HecError(400, "Invalid data format", 6, number) from None
        raw = event if isinstance(event, str) else dumps(event)
        events.append(
            Event(
                stamp,
                raw,
                _checked_index(state, str(item.get("index") or default_index), number),
                str(item.get("host") or state.options.server_name),
                str(item.get("source") or "http:sandbox"),
                str(item.get("sourcetype") or HEC_SOURCETYPE),
            )
        )
    return events


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _store(state: SandboxState, events: list[Event]) -> None:
    by_index: dict[str, list[Event]] = {}
    for event in events:
        by_index.setdefault(event.index, []).append(event)
    for index, batch in by_index.items():
        state.add_events(index, batch)


def collector_event(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    try:
        index = _token(state, req)
        _store(state, _hec_events(state, req.body, index, time.time()))
    except HecError as exc:
        return _hec_reply(exc.status, exc.reply)
    return _hec_reply(200, {"text": "Success", "code": 0})


def collector_raw(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    """``collector/raw``: each line of the body is an event; metadata comes from the query string."""
    try:
        default_index = _token(state, req)
        index = _checked_index(state, req.query.get("index") or default_index, 0)
        lines = [line for line in req.body.decode("utf-8", "replace").splitlines() if line.strip()]
        if not lines:
            raise HecError(400, "No data", 5)
        now = time.time()
        host = req.query.get("host") or state.options.server_name
        source = req.query.get("source") or "http:sandbox"
        sourcetype = req.query.get("sourcetype") or HEC_SOURCETYPE
        _store(state, [Event(now, line, index, host, source, sourcetype) for line in lines])
    except HecError as exc:
        return _hec_reply(exc.status, exc.reply)
    return _hec_reply(200, {"text": "Success", "code": 0})


def collector_health(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    return _hec_reply(200, {"text": "HEC is healthy", "code": 17})


def receivers_simple(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    """What splunklib's ``Index.submit`` posts: the body is the raw data, one event per line."""
    user = req.require_user()
    if "edit_tcp" not in state.accounts.capabilities(user):
        raise forbidden(user.name, "edit_tcp")
    # The query string carries the metadata; the body is data, not a form.
    index = req.query.get("index") or "main"
    if index not in state.indexes:
        raise SplunkdError(400, f"Index '{index[:64]}' does not exist.")
    text = req.body.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise SplunkdError(400, "No data was sent.")
    host = req.query.get("host") or state.options.server_name
    source = req.query.get("source") or "rest"
    sourcetype = req.query.get("sourcetype") or "generic_single_line"
    now = time.time()
    state.add_events(index, [Event(now, line, index, host, source, sourcetype) for line in lines])
    result = "".join(
        f"<{key}>{escape(str(value))}</{key}>"
        for key, value in (
            ("index", index),
            ("bytes", len(req.body)),
            ("host", host),
            ("source", source),
            ("sourcetype", sourcetype),
        )
    )
    return BodyReply(200, render_response(f"  <results><result>{result}</result></results>\n").encode(), _XML)


ROUTES = [
    *route("POST", "collector", collector_event, authenticated=False),
    *route("POST", "collector/event", collector_event, authenticated=False),
    *route("POST", "collector/event/1.0", collector_event, authenticated=False),
    *route("POST", "collector/raw", collector_raw, authenticated=False),
    *route("GET", "collector/health", collector_health, authenticated=False),
    *route("POST", "receivers/simple", receivers_simple),
]
