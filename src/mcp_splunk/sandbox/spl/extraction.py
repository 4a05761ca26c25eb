"""Search-time field extraction, cached per event in ``Event.extracted`` (multivalue fields as lists)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.spl.values import Row

Fields = dict[str, str | list[str]]
SERVER_NAME: Final = "sandbox"
# Fields every event has; extraction never overrides them (as splunkd keeps indexed fields).
INDEXED_FIELDS: Final = frozenset(("index", "host", "source", "sourcetype", "splunk_server"))
_RESERVED: Final = INDEXED_FIELDS | {"_time", "_raw", "linecount"}

_KV_RE: Final = re.compile(r'(?<![\w.-])([A-Za-z_][\w.]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_ACCESS_RE: Final = re.compile(
    r"(?P<clientip>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<req_time>[^\]]*)\] "
    r'"(?P<method>\S+) (?P<uri>\S+)(?: (?P<version>[^"]*))?" (?P<status>\d{3}) (?P<bytes>\S+)'
    r'(?: "(?P<referer>[^"]*)" "(?P<useragent>[^"]*)")?'
)
_SYSLOG_RE: Final = re.compile(r"\w{3} +\d+ [\d:]+ \S+ (?P<process>[\w./-]+)(?:\[(?P<pid>\d+)\])?: (?P<message>.*)")
_SSH_RE: Final = re.compile(
    r"(?P<result>Failed|Accepted) (?P<auth_method>\S+) for (?:invalid user )?(?P<user>\S+) "
    r"from (?P<src>\S+) port (?P<src_port>\d+)"
)
_SUDO_RE: Final = re.compile(r"\s*(?P<user>\S+) : .*?COMMAND=(?P<COMMAND>.*)$")
_SPLUNKD_RE: Final = re.compile(r"\d\d-\d\d-\d{4} [\d:.]+ [+-]\d{4} (?P<log_level>[A-Z]+)\s+(?P<component>\S+) - ")


def _store(fields: Fields, name: str, value: str | None) -> None:
    if value and name not in _RESERVED:
        fields[name] = value


def _kv(raw: str) -> Fields:
    fields: Fields = {}
    for match in _KV_RE.finditer(raw):
        name = match.group(1)
        if name not in fields:  # the first occurrence wins
            quoted = match.group(2)
            _store(fields, name, match.group(3) if quoted is None else quoted.replace('\\"', '"'))
    return fields


def _access_combined(raw: str) -> Fields:
    fields = _kv(raw)
    match = _ACCESS_RE.match(raw)
    if match is not None:
        for name, value in match.groupdict().items():
            _store(fields, name, value)
        uri = match.group("uri")
        path, _, query = uri.partition("?")
        _store(fields, "uri_path", path)
        _store(fields, "uri_query", query)
    return fields


def _linux_secure(raw: str) -> Fields:
    fields = _kv(raw)
    line = _SYSLOG_RE.match(raw)
    if line is None:
        return fields
    _store(fields, "process", line.group("process"))
    _store(fields, "pid", line.group("pid"))
    message = line.group("message")
    if (ssh := _SSH_RE.search(message)) is not None:
        for name in ("auth_method", "user", "src", "src_port"):
            _store(fields, name, ssh.group(name))
        _store(fields, "action", "failure" if ssh.group("result") == "Failed" else "success")
    elif (sudo := _SUDO_RE.match(message)) is not None:
        _store(fields, "user", sudo.group("user"))
        _store(fields, "COMMAND", sudo.group("COMMAND").strip())  # auto-kv stops at the first space
    return fields


def _splunkd(raw: str) -> Fields:
    fields = _kv(raw)
    match = _SPLUNKD_RE.match(raw)
    if match is not None:
        _store(fields, "log_level", match.group("log_level"))
        _store(fields, "component", match.group("component"))
    return fields


def flatten_json(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, value) pairs: objects nest with ".", array items repeat under ``name{}``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten_json(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from flatten_json(item, f"{prefix}{{}}")
    elif prefix:
        yield prefix, json_text(value)


def json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)  # numbers as written, true/false/null


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def json_fields(text: str) -> dict[str, list[str]]:
    """Flattened fields of a JSON document (empty if ``text`` is not JSON), each with all its values."""
    fields: dict[str, list[str]] = {}
    document = parse_json(text)
    if isinstance(document, dict | list):
        for name, value in flatten_json(document):
            fields.setdefault(name, []).append(value)
    return fields


def _json(raw: str) -> Fields:
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in json_fields(raw).items()
        if name not in _RESERVED
    }


_EXTRACTORS: Final[dict[str, Callable[[str], Fields]]] = {
    "access_combined": _access_combined,
    "linux_secure": _linux_secure,
    "splunkd": _splunkd,
    "_json": _json,
}


def extracted_fields(event: Event) -> Fields:
    """The event's search-time fields, extracted once and cached on the event."""
    fields = event.extracted
    if fields is None:
        fields = _EXTRACTORS.get(event.sourcetype, _kv)(event.raw)
        event.extracted = fields
    return fields


def indexed_row(event: Event) -> Row:
    """The fields every event has, without search-time extraction (enough for tstats and metadata)."""
    return {
        "_time": event.time,
        "_raw": event.raw,
        "index": event.index,
        "host": event.host,
        "source": event.source,
        "sourcetype": event.sourcetype,
        "splunk_server": SERVER_NAME,
        "linecount": event.raw.count("\n") + 1,
    }


def event_row(event: Event) -> Row:
    row = indexed_row(event)
    fields = extracted_fields(event)
    if fields:
        row.update(fields)
    return row
