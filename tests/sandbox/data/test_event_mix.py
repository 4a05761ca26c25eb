"""The fields that searches group by vary the way real traffic does."""

from __future__ import annotations

import ipaddress
import re
import statistics
from collections import Counter
from typing import Any

import pytest

from mcp_splunk.sandbox.events import Event

DOCUMENTATION_NETS = (ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("198.51.100.0/24"))
OFFICE_NET = ipaddress.ip_network("10.0.0.0/24")


def _fields(lines: list[re.Match[str] | None]) -> list[dict[str, str]]:
    assert all(lines)
    return [line.groupdict() for line in lines if line]


def _shares(values: list[str]) -> dict[str, float]:
    return {value: count / len(values) for value, count in Counter(values).items()}


@pytest.mark.parametrize(
    ("status_class", "low", "high"),
    [("2", 0.85, 0.90), ("3", 0.01, 0.06), ("4", 0.05, 0.10), ("5", 0.01, 0.04)],
)
def test_web_status_classes_have_realistic_shares(
    web_lines: list[re.Match[str] | None], status_class: str, low: float, high: float
) -> None:
    shares = _shares([request["status"][0] for request in _fields(web_lines)])
    assert low <= shares[status_class] <= high


def test_the_checkout_api_fails_far_more_often_than_the_site(web_lines: list[re.Match[str] | None]) -> None:
    requests = _fields(web_lines)
    checkout = [r for r in requests if r["uri"] == "/api/checkout"]
    assert {r["method"] for r in checkout} == {"POST"}
    site = _shares([r["status"][0] for r in requests])["5"]
    assert _shares([r["status"][0] for r in checkout])["5"] > 3 * site


def test_web_requests_come_from_a_few_hundred_clients_led_by_heavy_hitters(
    web_lines: list[re.Match[str] | None],
) -> None:
    clients = Counter(request["clientip"] for request in _fields(web_lines))
    assert 200 <= len(clients) <= 400
    typical = statistics.median(clients.values())
    assert all(count > 5 * typical for _, count in clients.most_common(3))


def test_web_requests_vary_in_method_uri_user_referer_and_agent(
    web_lines: list[re.Match[str] | None],
) -> None:
    requests = _fields(web_lines)
    methods = _shares([r["method"] for r in requests])
    assert set(methods) == {"GET", "POST", "PUT", "DELETE", "HEAD"}
    assert methods["GET"] > 0.7
    paths = {r["uri"].split("?")[0] for r in requests}
    assert 15 <= len(paths) <= 30
    assert any("?" in r["uri"] for r in requests)
    users = _shares([r["user"] for r in requests])
    assert users["-"] > 0.9
    assert len(users) > 2
    assert len({r["referer"] for r in requests}) >= 4
    assert len({r["agent"] for r in requests}) >= 5


def test_web_bytes_are_integers_except_for_not_modified(web_lines: list[re.Match[str] | None]) -> None:
    for request in _fields(web_lines):
        if request["status"] == "304":
            assert request["bytes"] == "-"
        else:
            assert request["bytes"].isdigit()


@pytest.mark.parametrize(("level", "low", "high"), [("INFO", 0.80, 0.88), ("WARN", 0.08, 0.12), ("ERROR", 0.03, 0.07)])
def test_main_levels_have_realistic_shares(
    app_records: list[dict[str, Any]], level: str, low: float, high: float
) -> None:
    assert low <= _shares([record["level"] for record in app_records])[level] <= high


def test_main_covers_the_five_services_with_messages_per_level(app_records: list[dict[str, Any]]) -> None:
    messages: dict[tuple[str, str], set[str]] = {}
    for record in app_records:
        messages.setdefault((record["service"], record["level"]), set()).add(record["message"])
    services = {"checkout", "payments", "inventory", "auth-api", "search-api"}
    assert {service for service, _ in messages} == services
    assert all(len(messages[service, "INFO"]) >= 3 for service in services)
    assert all(len(messages[service, "ERROR"]) >= 2 for service in services)


def test_security_has_brute_force_bursts_from_documentation_addresses(
    corpus: dict[str, list[Event]], secure_lines: list[re.Match[str] | None]
) -> None:
    failures: dict[str, list[float]] = {}
    for event, line in zip(corpus["security"], _fields(secure_lines), strict=True):
        if line["outcome"] == "Failed":
            failures.setdefault(line["src"], []).append(event.time)
    bursting = set()
    for src, times in failures.items():
        if any(times[i + 5] - times[i] < 900 for i in range(len(times) - 5)):
            bursting.add(src)
    assert 2 <= len(bursting) <= 6
    assert all(any(ipaddress.ip_address(src) in net for net in DOCUMENTATION_NETS) for src in bursting)


def test_security_brute_force_targets_root_admin_and_invalid_users(
    secure_lines: list[re.Match[str] | None],
) -> None:
    external = [
        line
        for line in _fields(secure_lines)
        if line["outcome"] and ipaddress.ip_address(line["src"]) not in OFFICE_NET
    ]
    assert {line["outcome"] for line in external} == {"Failed"}
    assert {line["user"] for line in external} >= {"root", "admin"}
    assert any(line["invalid"] for line in external)


def test_security_has_office_logins_and_sudo_by_a_handful_of_people(
    secure_lines: list[re.Match[str] | None],
) -> None:
    lines = _fields(secure_lines)
    accepted = [line for line in lines if line["outcome"] == "Accepted"]
    assert {line["method"] for line in accepted} == {"password", "publickey"}
    assert all(ipaddress.ip_address(line["src"]) in OFFICE_NET for line in accepted)
    assert 3 <= len({line["user"] for line in accepted}) <= 10
    assert len({line["sudoer"] for line in lines if line["sudoer"]}) >= 3


def test_internal_has_warnings_and_errors_from_splunkd_components(
    internal_lines: list[re.Match[str] | None],
) -> None:
    lines = _fields(internal_lines)
    levels = _shares([line["level"].strip() for line in lines])
    assert levels["INFO"] > 0.8
    assert levels["WARN"] > 0.01
    assert levels["ERROR"] > 0.005
    troubled = {line["component"] for line in lines if line["level"] != "INFO "}
    assert troubled >= {"TcpOutputProc", "DateParserVerbose", "ExecProcessor", "HttpListener"}
