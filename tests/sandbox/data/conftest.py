"""Shared fixtures: the default corpus and knowledge at a fixed "now", and its lines parsed by format.

The regular expressions are written from the format specifications, independently of the generators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest

from mcp_splunk.sandbox.data import Knowledge, default_knowledge, generate_events
from mcp_splunk.sandbox.events import Event

# 2026-12-03 10:00:53.123 UTC: not on a whole second, so the window edges are exercised, and a week back
# crosses a month boundary and single-digit days (which syslog pads with a space).
NOW = 1796292053.123

ACCESS_COMBINED = re.compile(
    r"(?P<clientip>\d{1,3}(?:\.\d{1,3}){3}) - (?P<user>\S+) "
    r"\[(?P<ts>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d) \+0000\] "
    r'"(?P<method>[A-Z]+) (?P<uri>/\S*) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" '
    r'"(?P<agent>[^"]+)"'
)
LINUX_SECURE = re.compile(
    r"(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?:sshd\[\d+\]: (?P<outcome>Failed|Accepted) (?P<method>password|publickey) for "
    r"(?P<invalid>invalid user )?(?P<user>\S+) from (?P<src>\d{1,3}(?:\.\d{1,3}){3}) port \d+ ssh2"
    r"|sudo: +(?P<sudoer>\S+) : TTY=pts/\d+ ; PWD=/\S* ; USER=root ; COMMAND=/.+)"
)
SPLUNKD = re.compile(
    r"(?P<ts>\d\d-\d\d-\d{4} \d\d:\d\d:\d\d\.\d{3}) \+0000 "
    r"(?P<level>INFO |WARN |ERROR) (?P<component>[A-Za-z]+) - .+"
)


def _matches(pattern: re.Pattern[str], events: Sequence[Event]) -> list[re.Match[str] | None]:
    return [pattern.fullmatch(event.raw) for event in events]


@pytest.fixture(scope="session")
def now() -> float:
    return NOW


@pytest.fixture(scope="session")
def corpus(now: float) -> dict[str, list[Event]]:
    return generate_events(now=now)


@pytest.fixture(scope="session")
def knowledge(now: float) -> Knowledge:
    return default_knowledge(now=now)


@pytest.fixture(scope="session")
def web_lines(corpus: dict[str, list[Event]]) -> list[re.Match[str] | None]:
    return _matches(ACCESS_COMBINED, corpus["web"])


@pytest.fixture(scope="session")
def secure_lines(corpus: dict[str, list[Event]]) -> list[re.Match[str] | None]:
    return _matches(LINUX_SECURE, corpus["security"])


@pytest.fixture(scope="session")
def internal_lines(corpus: dict[str, list[Event]]) -> list[re.Match[str] | None]:
    return _matches(SPLUNKD, corpus["_internal"])


@pytest.fixture(scope="session")
def app_records(corpus: dict[str, list[Event]]) -> list[dict[str, Any]]:
    return [json.loads(event.raw) for event in corpus["main"]]
