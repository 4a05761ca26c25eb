"""``/metrics`` through a real gateway: a Prometheus scrape after known tool calls, and who may scrape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from mcp_splunk.observability.metrics import endpoint_class
from mcp_splunk.sandbox import Sandbox
from tests.support import RunningGateway, running_gateway, sandbox_defaults

METRICS_TOKEN = "scrape-token-0123456789abcdef"
GATEWAY_TOKEN = "gateway-token-0123456789abcdef"

# The calls made, each with the outcome the gateway must count it under (what the client sees is checked too).
CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("list_indexes", {}, "ok"),
    ("list_indexes", {}, "ok"),
    ("run_search", {"query": "index=main | head 2"}, "ok"),
    ("run_search", {"query": "index=web | delete"}, "refused"),
    ("get_index_info", {"name": "no_such_index"}, "tool_error"),
    ("list_indexes", {}, "rate_limited"),  # the sixth call of a burst of five
]
CODES = [None, None, None, "policy_violation", "not_found", "rate_limited"]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels, parsed by prometheus-client's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(gateway: RunningGateway, **headers: str) -> httpx.Response:
    return httpx.get(f"{gateway.base}/metrics", headers=headers, timeout=10)


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox), rate_limit_per_minute=1, rate_limit_burst=5) as running:
        yield running


@pytest.fixture(scope="module")
def scraped(gateway: RunningGateway) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The samples of one scrape made after ``CALLS``, each of which got the error code ``CODES`` names."""

    async def call_all() -> list[Any]:
        async with gateway.client() as client:
            with anyio.fail_after(60):
                return [await client.call_tool(tool, args, raise_on_error=False) for tool, args, _ in CALLS]

    results = anyio.run(call_all)
    assert [(r.structured_content or {}).get("error", {}).get("code") for r in results] == CODES
    response = scrape(gateway)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def test_a_scrape_counts_each_tool_call_by_tool_and_outcome(scraped: dict[Any, float]) -> None:
    found = scraped
    expected: dict[tuple[str, str], int] = {}
    for tool, _, outcome in CALLS:
        expected[(tool, outcome)] = expected.get((tool, outcome), 0) + 1
    counted = {
        (dict(labels)["tool"], dict(labels)["outcome"]): value
        for (name, labels), value in found.items()
        if name == "mcp_splunk_tool_calls_total"
    }
    assert {key: value for key, value in counted.items() if value} == expected
    durations = {
        dict(labels)["tool"]: value
        for (name, labels), value in found.items()
        if name == "mcp_splunk_tool_call_duration_seconds_count"
    }
    assert durations == {"list_indexes": 3, "run_search": 2, "get_index_info": 1}


def test_splunk_requests_are_timed_by_endpoint_class_without_names_or_sids(scraped: dict[Any, float]) -> None:
    found = scraped
    requests = {
        (dict(labels)["method"], dict(labels)["endpoint"]): value
        for (name, labels), value in found.items()
        if name == "mcp_splunk_splunk_request_duration_seconds_count"
    }
    assert requests[("POST", "auth/login")] == 1  # one identity: one login, then the pooled session
    assert requests[("POST", "search/jobs")] >= 1
    for _, endpoint in requests:
        assert re.fullmatch(r"(?:[a-z_-]+|conf-\*|\*)(?:/(?:[a-z_-]+|conf-\*|\*))?|other", endpoint), endpoint
    assert found[("mcp_splunk_splunk_sessions", ())] == 1
    assert found[("mcp_splunk_splunk_workers", ())] == 32


def test_a_scraper_with_a_host_of_its_own_is_answered_like_a_health_probe(gateway: RunningGateway) -> None:
    assert scrape(gateway, Host="10.1.2.3:9464").status_code == 200
    mcp = httpx.post(gateway.url, headers={"Host": "10.1.2.3:9464"}, json={}, timeout=10)
    assert mcp.status_code == 421  # the MCP endpoint keeps its Host allow-list


def test_with_a_metrics_token_only_that_token_may_scrape(sandbox: Sandbox) -> None:
    settings: dict[str, Any] = {
        "auth": "token",
        "auth_tokens": SecretStr(f"ops:{GATEWAY_TOKEN}"),
        "metrics_token": SecretStr(METRICS_TOKEN),
    }
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        missing = scrape(gateway)
        wrong = scrape(gateway, Authorization="Bearer not-the-scrape-token-00000")
        gateway_identity = scrape(gateway, Authorization=f"Bearer {GATEWAY_TOKEN}")
        allowed = scrape(gateway, Authorization=f"Bearer {METRICS_TOKEN}")
    assert [missing.status_code, wrong.status_code, gateway_identity.status_code] == [401, 401, 401]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "MCP_SPLUNK_METRICS_TOKEN" in missing.json()["error_description"]
    assert "not-the-scrape-token" not in wrong.text
    assert allowed.status_code == 200
    assert "mcp_splunk_tool_calls_total" in allowed.text or "mcp_splunk_tool_calls" in allowed.text


def test_without_a_metrics_token_the_gateways_own_auth_guards_the_scrape(sandbox: Sandbox) -> None:
    settings: dict[str, Any] = {"auth": "token", "auth_tokens": SecretStr(f"ops:{GATEWAY_TOKEN}")}
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        missing = scrape(gateway)
        allowed = scrape(gateway, Authorization=f"Bearer {GATEWAY_TOKEN}")
    assert missing.status_code == 401
    assert "a token the gateway accepts" in missing.json()["error_description"]
    assert allowed.status_code == 200


def test_metrics_can_be_turned_off(sandbox: Sandbox) -> None:
    with running_gateway(sandbox_defaults(sandbox), metrics=False) as gateway:
        assert gateway.gateway.metrics is None
        assert scrape(gateway).status_code == 404


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/servicesNS/alice/search/search/v2/jobs/1712345678.42/results", "search/jobs"),
        ("/services/search/jobs/export", "search/jobs"),
        ("/services/auth/login", "auth/login"),
        ("/servicesNS/nobody/search/configs/conf-server", "configs/conf-*"),
        ("/servicesNS/-/-/saved/searches/Top%20URIs", "saved/searches"),
        ("/services/authentication/httpauth-tokens/0123abcd", "authentication/httpauth-tokens"),
        ("/services/messages", "messages"),
        ("/services/Weird.Name/x", "*/x"),
        ("/elsewhere", "other"),
    ],
)
def test_a_splunk_path_is_labelled_by_its_collection_never_by_an_owner_sid_or_name(path: str, endpoint: str) -> None:
    assert endpoint_class(path) == endpoint
