"""The Splunk target policy: which targets the gateway connects to, and the one address it uses for each."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from mcp_splunk.errors import TargetRefused
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings, SplunkDefaults
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.splunk.targets import TargetPolicy
from tests.support import running_gateway


def config(
    host: str, *, port: int = 8089, scheme: str = "https", source: str = "headers", verify: bool = True
) -> SplunkConfig:
    return SplunkConfig(host, port, scheme, token=Secret("target-test-token"), verify_ssl=verify, source=source)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "::ffff:169.254.169.254",
        "fe80::1",
        "100.100.100.200",
        "fd00:ec2::254",
        "metadata.google.internal",
        "0.0.0.0",
        "224.0.0.1",
    ],
)
def test_link_local_metadata_and_non_unicast_addresses_are_always_refused(host: str) -> None:
    permissive = TargetPolicy(GatewaySettings(allow_http_targets=True, allow_insecure_tls=True))
    with pytest.raises(TargetRefused):
        permissive.vet(config(host))
    with pytest.raises(TargetRefused):  # even as the operator's own default target
        permissive.vet(config(host, source="env"))


def test_plain_http_to_a_remote_target_needs_the_operators_consent() -> None:
    assert TargetPolicy(GatewaySettings(allow_http_targets=True)).vet(config("10.1.2.3", scheme="http")) == "10.1.2.3"
    with pytest.raises(TargetRefused, match="Plaintext http"):
        TargetPolicy(GatewaySettings()).vet(config("10.1.2.3", scheme="http"))
    assert TargetPolicy(GatewaySettings()).vet(config("127.0.0.1", scheme="http")) == "127.0.0.1"


def test_a_client_may_not_turn_tls_verification_off_without_the_operators_consent() -> None:
    with pytest.raises(TargetRefused, match="TLS verification"):
        TargetPolicy(GatewaySettings()).vet(config("10.1.2.3", verify=False))
    assert TargetPolicy(GatewaySettings(allow_insecure_tls=True)).vet(config("10.1.2.3", verify=False)) == "10.1.2.3"
    assert TargetPolicy(GatewaySettings()).vet(config("10.1.2.3", verify=False, source="env")) == "10.1.2.3"


def test_the_allow_list_matches_names_cidrs_and_ports() -> None:
    policy = TargetPolicy(GatewaySettings(allowed_targets="*.corp.example,10.0.0.0/8:8089,localhost"))
    assert policy.vet(config("10.20.30.40")) == "10.20.30.40"
    assert policy.vet(config("localhost")) in ("127.0.0.1", "::1")
    with pytest.raises(TargetRefused):
        policy.vet(config("10.20.30.40", port=9000))
    with pytest.raises(TargetRefused):
        policy.vet(config("192.168.1.5"))
    assert policy.vet(config("192.168.1.5", source="env")) == "192.168.1.5"  # the server's own target is trusted


def test_a_bad_allow_list_entry_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="MCP_SPLUNK_ALLOWED_TARGETS"):
        TargetPolicy(GatewaySettings(allowed_targets="10.0.0.0/8:notaport"))


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """DNS for 'splunk.rebind.test' that answers loopback once, then the metadata address (a rebinding attack)."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        if host == "splunk.rebind.test":
            address = "127.0.0.1" if not lookups else "169.254.169.254"
            lookups.append(address)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, args[0] if args else 0))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


async def test_the_vetted_address_is_the_one_connected_to(sandbox: Sandbox, rebinding_dns: list[str]) -> None:
    sandbox.add_token("rebind-token-0123456789", "analyst")
    pool = ConnectionPool(GatewaySettings())
    try:
        target = SplunkConfig("splunk.rebind.test", sandbox.port, "http", token=Secret("rebind-token-0123456789"))
        for _ in range(3):
            assert (await pool.run(target, ops.current_context))["username"] == "analyst"
    finally:
        pool.close()
    assert rebinding_dns == ["127.0.0.1"]  # resolved once; later connections never asked DNS again


# -- TLS, against a real https sandbox with a generated CA ---------------------------------------------------
@pytest.fixture(scope="module")
def tls_sandbox() -> Iterator[Sandbox]:
    with Sandbox(scheme="https") as running:
        yield running


def https_headers(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    return {
        "X-Splunk-Host": "localhost",
        "X-Splunk-Port": str(sandbox.port),
        "X-Splunk-Scheme": "https",
        "X-Splunk-Username": "admin",
        "X-Splunk-Password": "changeme",
        **extra,
    }


def no_defaults(ca: str | None = None) -> SplunkDefaults:
    return SplunkDefaults(host=None, username=None, password=None, token=None, session_key=None, ca_bundle=ca)


async def test_an_untrusted_certificate_is_refused_by_default(tls_sandbox: Sandbox) -> None:
    with running_gateway(no_defaults()) as gateway:
        async with gateway.client(https_headers(tls_sandbox)) as client:
            result = await client.call_tool("whoami", {}, raise_on_error=False)
    assert result.structured_content["error"]["code"] == "tls_verification_failed"
    assert "SPLUNK_CA_BUNDLE" in result.structured_content["error"]["message"]


async def test_the_certificate_is_accepted_with_the_ca_bundle(tls_sandbox: Sandbox) -> None:
    with running_gateway(no_defaults(str(tls_sandbox.ca_file))) as gateway:
        async with gateway.client(https_headers(tls_sandbox)) as client:
            me = (await client.call_tool("whoami", {})).structured_content
    assert me["username"] == "admin"


async def test_turning_verification_off_needs_the_operators_consent(tls_sandbox: Sandbox) -> None:
    insecure = https_headers(tls_sandbox, **{"X-Splunk-Verify-SSL": "false"})
    with running_gateway(no_defaults()) as strict:
        async with strict.client(insecure) as client:
            refused = await client.call_tool("whoami", {}, raise_on_error=False)
    with running_gateway(no_defaults(), allow_insecure_tls=True) as lenient:
        async with lenient.client(insecure) as client:
            allowed = await client.call_tool("whoami", {})
    assert refused.structured_content["error"]["code"] == "target_refused"
    assert allowed.structured_content["username"] == "admin"


async def test_a_target_outside_the_allow_list_is_refused_before_any_connection(sandbox: Sandbox) -> None:
    with running_gateway(no_defaults(), allowed_targets="10.0.0.0/8") as gateway:
        headers = {
            "X-Splunk-Host": "127.0.0.1",
            "X-Splunk-Port": str(sandbox.port),
            "X-Splunk-Scheme": "http",
            "X-Splunk-Username": "admin",
            "X-Splunk-Password": "changeme",
        }
        async with gateway.client(headers) as client:
            result = await client.call_tool("whoami", {}, raise_on_error=False)
    assert result.structured_content["error"]["code"] == "target_refused"
