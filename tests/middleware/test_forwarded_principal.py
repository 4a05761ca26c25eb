"""Behind a trusted proxy, the forwarded client is the principal: its own rate-limit bucket and audit principal.

Over real HTTP, from 127.0.0.1: the gateway trusts that address as a proxy, or trusts none.
"""

from __future__ import annotations

from pathlib import Path

from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk.sandbox import Sandbox
from tests.middleware.test_audit_and_rate_limit import TOKENS, lines
from tests.support import RunningGateway, running_gateway, sandbox_defaults

ONE_CALL_EACH = {"rate_limit_per_minute": 1, "rate_limit_burst": 1}


async def calls(gateway: RunningGateway, headers: dict[str, str], count: int) -> list[bool]:
    """Whether each of ``count`` tool calls sent with ``headers`` was refused."""
    async with gateway.client(headers) as client:
        return [(await client.call_tool("user_agent_info", {}, raise_on_error=False)).is_error for _ in range(count)]


async def test_clients_forwarded_by_a_trusted_proxy_get_their_own_bucket_and_audit_principal(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    settings = {"trusted_proxies": frozenset({"127.0.0.1"}), "audit_log": str(audit), **ONE_CALL_EACH}
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:
        first = await calls(gateway, {"X-Forwarded-For": "203.0.113.7"}, 2)
        second = await calls(gateway, {"X-Forwarded-For": "198.51.100.1, 203.0.113.8"}, 1)
        ipv6 = await calls(gateway, {"Forwarded": 'for="[2001:db8::1]:4711"'}, 1)
    assert first == [False, True]  # the second call is over this client's limit ...
    assert second == ipv6 == [False]  # ... and the other clients' buckets are their own
    assert [line["principal"] for line in lines(audit)] == [
        "anonymous@203.0.113.7",
        "anonymous@203.0.113.7",
        "anonymous@203.0.113.8",
        "anonymous@2001:db8::1",
    ]


async def test_forwarding_headers_change_nothing_when_no_proxy_is_trusted(sandbox: Sandbox, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with running_gateway(sandbox_defaults(sandbox), audit_log=str(audit), **ONE_CALL_EACH) as gateway:
        first = await calls(gateway, {"X-Forwarded-For": "203.0.113.7"}, 1)
        second = await calls(gateway, {"X-Forwarded-For": "203.0.113.8", "Forwarded": "for=203.0.113.8"}, 1)
    assert first == [False]
    assert second == [True]  # one bucket: the TCP peer's
    assert [line["principal"] for line in lines(audit)] == ["anonymous@127.0.0.1"] * 2


async def test_a_verified_token_keeps_its_principal_behind_a_trusted_proxy(sandbox: Sandbox, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    settings = {"auth": "token", "auth_tokens": TOKENS, "trusted_proxies": frozenset({"127.0.0.1"})}
    with running_gateway(sandbox_defaults(sandbox), audit_log=str(audit), **settings) as gateway:
        transport = StreamableHttpTransport(
            gateway.url, headers={"X-Forwarded-For": "203.0.113.7"}, auth="rate-token-ops-0123456789"
        )
        async with Client(transport) as client:
            await client.call_tool("user_agent_info", {})
    assert [line["principal"] for line in lines(audit)] == ["ops"]
