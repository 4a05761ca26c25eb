"""The error seam's TLS diagnoses, from real handshakes with an https sandbox: each names the one thing to fix."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest

from mcp_splunk.errors import TLSVerificationError
from mcp_splunk.sandbox import Sandbox, SandboxOptions
from mcp_splunk.secret import Secret
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.errors import translate


@pytest.fixture(scope="module")
def https() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(sample_data=False), scheme="https") as sandbox:
        yield sandbox


def handshake_error(port: int, server_hostname: str, context: ssl.SSLContext) -> ssl.SSLError:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, pytest.raises(ssl.SSLError) as caught:
        context.wrap_socket(raw, server_hostname=server_hostname)
    return caught.value


def target(host: str, port: int) -> SplunkConfig:
    return SplunkConfig(host, port, "https", token=Secret("errors-test-token"))


def test_a_certificate_for_another_name_says_to_connect_by_a_name_it_holds(https: Sandbox) -> None:
    trusting = ssl.create_default_context(cafile=str(https.ca_file))
    error = translate(handshake_error(https.port, "splunk.other.example", trusting), target("splunk.other.example", 1))
    assert isinstance(error, TLSVerificationError)
    assert "not valid for 'splunk.other.example'" in error.message
    assert "X-Splunk-Host or SPLUNK_HOST" in error.message
    assert "SPLUNK_CA_BUNDLE" not in error.message


def test_an_unknown_ca_says_to_give_the_gateway_the_ca(https: Sandbox) -> None:
    error = translate(handshake_error(https.port, "localhost", ssl.create_default_context()), target("localhost", 1))
    assert isinstance(error, TLSVerificationError)
    assert "SPLUNK_CA_BUNDLE" in error.message


def test_tls_to_a_plain_http_port_says_the_port_speaks_http(sandbox: Sandbox) -> None:
    error = translate(handshake_error(sandbox.port, "127.0.0.1", ssl.create_default_context()), target("h", 1))
    assert isinstance(error, TLSVerificationError)
    assert "this port speaks plain HTTP" in error.message
    assert "SPLUNK_SCHEME=http" in error.message
    assert "certificate" not in error.message
