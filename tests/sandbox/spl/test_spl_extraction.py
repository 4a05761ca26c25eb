"""Search-time field extraction for each sourcetype the data generator produces."""

from __future__ import annotations

import json

from mcp_splunk.sandbox.events import Event
from tests.sandbox.spl.spl_engine_support import FakeContext, event, rendered

ACCESS_LINE = (
    '10.2.3.4 - - [22/Nov/2026:10:00:53 +0000] "GET /cart?item=42 HTTP/1.1" 200 5123 '
    '"https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64)"'
)


def fields_of(ev: Event) -> dict[str, str | list[str]]:
    ctx = FakeContext([ev], searchable=[ev.index], defaults=[ev.index])
    (row,) = rendered(ctx, "search *")
    return row


def test_access_combined_fields() -> None:
    row = fields_of(event(1, ACCESS_LINE, sourcetype="access_combined"))
    expected = {
        "clientip": "10.2.3.4",
        "ident": "-",
        "user": "-",
        "req_time": "22/Nov/2026:10:00:53 +0000",
        "method": "GET",
        "uri": "/cart?item=42",
        "uri_path": "/cart",
        "uri_query": "item=42",
        "version": "HTTP/1.1",
        "status": "200",
        "bytes": "5123",
        "referer": "https://shop.example.com/",
        "useragent": "Mozilla/5.0 (X11; Linux x86_64)",
        "item": "42",  # automatic key=value still applies
    }
    assert {key: row.get(key) for key in expected} == expected


def test_access_combined_with_user_name_and_missing_bytes() -> None:
    raw = ACCESS_LINE.replace("- - [", "- carol [").replace(" 5123 ", " - ")
    row = fields_of(event(1, raw, sourcetype="access_combined"))
    assert (row["user"], row["bytes"]) == ("carol", "-")


def test_json_fields_are_flattened_with_dots_and_arrays_are_multivalue() -> None:
    document = {
        "timestamp": "2026-11-22T10:00:53.123Z",
        "level": "ERROR",
        "latency_ms": 5012,
        "ok": False,
        "http": {"status": 502, "peer": {"ip": "10.0.0.9"}},
        "tags": ["a", "b"],
        "items": [{"sku": "x1"}, {"sku": "x2"}],
    }
    row = fields_of(event(1, json.dumps(document), sourcetype="_json"))
    assert row["level"] == "ERROR"
    assert row["latency_ms"] == "5012"
    assert row["ok"] == "false"
    assert row["http.status"] == "502"
    assert row["http.peer.ip"] == "10.0.0.9"
    assert row["tags{}"] == ["a", "b"]
    assert row["items{}.sku"] == ["x1", "x2"]


def test_json_sourcetype_skips_key_value_extraction() -> None:
    row = fields_of(event(1, '{"message": "retry=3 of 5"}', sourcetype="_json"))
    assert "retry" not in row
    assert row["message"] == "retry=3 of 5"


def test_linux_secure_failed_and_accepted_logins() -> None:
    failed = fields_of(
        event(
            1,
            "Nov 22 10:00:53 bastion-01 sshd[12345]: Failed password for invalid user admin from 203.0.113.5 "
            "port 52344 ssh2",
            sourcetype="linux_secure",
        )
    )
    assert {k: failed[k] for k in ("process", "pid", "action", "user", "src", "src_port", "auth_method")} == {
        "process": "sshd",
        "pid": "12345",
        "action": "failure",
        "user": "admin",
        "src": "203.0.113.5",
        "src_port": "52344",
        "auth_method": "password",
    }
    root = fields_of(
        event(
            1,
            "Nov 22 10:00:53 bastion-01 sshd[1]: Failed password for root from 1.2.3.4 port 2 ssh2",
            sourcetype="linux_secure",
        )
    )
    assert root["user"] == "root"
    accepted = fields_of(
        event(
            1,
            "Nov 22 10:00:53 bastion-01 sshd[812]: Accepted publickey for deploy from 10.0.0.9 port 40022 ssh2",
            sourcetype="linux_secure",
        )
    )
    assert (accepted["action"], accepted["user"], accepted["auth_method"]) == ("success", "deploy", "publickey")


def test_linux_secure_sudo_line() -> None:
    row = fields_of(
        event(
            1,
            "Nov 22 10:00:53 db-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
            "COMMAND=/bin/systemctl restart nginx",
            sourcetype="linux_secure",
        )
    )
    assert row["process"] == "sudo"
    assert row["user"] == "alice"
    assert row["USER"] == "root"
    assert row["COMMAND"] == "/bin/systemctl restart nginx"
    assert "pid" not in row


def test_splunkd_log_level_component_and_key_values() -> None:
    row = fields_of(
        event(
            1,
            "11-22-2026 10:00:53.123 +0000 INFO  Metrics - group=pipeline, name=indexerpipe, processor=indexin, "
            "cpu_seconds=0.001, executes=42",
            index="_internal",
            sourcetype="splunkd",
        )
    )
    assert {k: row[k] for k in ("log_level", "component", "group", "name", "cpu_seconds", "executes")} == {
        "log_level": "INFO",
        "component": "Metrics",
        "group": "pipeline",
        "name": "indexerpipe",
        "cpu_seconds": "0.001",
        "executes": "42",
    }


def test_key_value_extraction_never_overrides_indexed_fields() -> None:
    row = fields_of(event(1, "Connection to host=10.0.0.7:9997 failed", host="idx-01"))
    assert row["host"] == "idx-01"


def test_quoted_key_values_keep_spaces() -> None:
    row = fields_of(event(1, 'msg="disk full on /var" code=7'))
    assert (row["msg"], row["code"]) == ("disk full on /var", "7")


def test_extraction_is_cached_on_the_event() -> None:
    ev = event(1, "a=1 b=2")
    assert ev.extracted is None
    fields_of(ev)
    assert ev.extracted == {"a": "1", "b": "2"}
    ev.extracted = {"a": "cached"}  # a second search reuses the cache instead of re-extracting
    assert fields_of(ev)["a"] == "cached"


def test_every_row_has_the_standard_fields() -> None:
    ev = event(1, "line one\nline two", index="main", host="h", source="s", sourcetype="st")
    row = fields_of(ev)
    assert {k: row[k] for k in ("_raw", "index", "host", "source", "sourcetype", "splunk_server", "linecount")} == {
        "_raw": ev.raw,
        "index": "main",
        "host": "h",
        "source": "s",
        "sourcetype": "st",
        "splunk_server": "sandbox",
        "linecount": "2",
    }
