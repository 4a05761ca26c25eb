"""X-Splunk-* headers are validated once, at the HTTP edge: bad values are a clear 400 before MCP runs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from mcp_splunk.errors import HeaderError
from mcp_splunk.http.splunk_headers import parse_splunk_headers
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.secret import Secret
from mcp_splunk.settings import SplunkDefaults
from tests.support import RecordingListener, RunningGateway, running_gateway, sandbox_defaults


def raw(**headers: str) -> list[tuple[bytes, bytes]]:
    return [(f"X-Splunk-{k.replace('_', '-')}".encode(), v.encode()) for k, v in headers.items()]


def test_a_request_without_splunk_headers_has_no_header_params() -> None:
    assert parse_splunk_headers([(b"content-type", b"application/json")]) is None


def test_every_header_is_parsed_to_its_type() -> None:
    params = parse_splunk_headers(
        raw(
            Host="splunk.corp",
            Port="8090",
            Scheme="HTTP",
            Username="alice",
            Password="pw-1234",
            Verify_SSL="false",
            App="search",
            Owner="nobody",
        )
    )
    assert params is not None
    assert (params.host, params.port, params.scheme, params.username) == ("splunk.corp", 8090, "http", "alice")
    assert params.password == Secret("pw-1234")
    assert (params.verify_ssl, params.app, params.owner) == (False, "search", "nobody")
    assert set(params.names) == {
        "X-Splunk-Host",
        "X-Splunk-Port",
        "X-Splunk-Scheme",
        "X-Splunk-Username",
        "X-Splunk-Password",
        "X-Splunk-Verify-SSL",
        "X-Splunk-App",
        "X-Splunk-Owner",
    }


def test_an_ipv6_literal_host_is_accepted_without_brackets() -> None:
    params = parse_splunk_headers(raw(Host="[::1]"))
    assert params is not None
    assert params.host == "::1"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Port": "eighty"}, "X-Splunk-Port must be an integer from 1 to 65535"),
        ({"Port": "70000"}, "X-Splunk-Port must be an integer from 1 to 65535"),
        ({"Scheme": "ftp"}, "X-Splunk-Scheme must be 'https' or 'http'"),
        ({"Verify_SSL": "maybe"}, "X-Splunk-Verify-SSL must be true or false"),
        ({"Host": "https://splunk.corp:8089/"}, "no scheme, port or path"),
        ({"App": "../etc"}, "X-Splunk-App must be an app or user name"),
        ({"User": "alice"}, "Did you mean X-Splunk-Username?"),
        ({"Port": ""}, "X-Splunk-Port is empty"),
    ],
)
def test_bad_values_raise_a_message_that_names_the_header(headers: dict[str, str], message: str) -> None:
    with pytest.raises(HeaderError, match=message.replace("?", r"\?")):
        parse_splunk_headers(raw(**headers))


def test_a_header_repeated_with_different_values_is_refused() -> None:
    with pytest.raises(HeaderError, match="more than once"):
        parse_splunk_headers([(b"x-splunk-host", b"a.corp"), (b"x-splunk-host", b"b.corp")])


def test_control_characters_are_refused() -> None:
    with pytest.raises(HeaderError, match="control characters"):
        parse_splunk_headers([(b"x-splunk-username", b"ali\x00ce")])


def test_an_error_about_a_secret_header_never_echoes_its_value() -> None:
    with pytest.raises(HeaderError) as raised:
        parse_splunk_headers([(b"x-splunk-password", b"\xff\xfe-secret-value")])
    assert "secret-value" not in str(raised.value)


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox) -> Iterator[RunningGateway]:
    with running_gateway(sandbox_defaults(sandbox)) as running:
        yield running


def test_a_bad_header_gets_a_json_rpc_400_before_the_mcp_layer_runs(gateway: RunningGateway) -> None:
    response = httpx.post(
        gateway.url,
        headers={"X-Splunk-Port": "abc", "Accept": "application/json"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32600
    assert "X-Splunk-Port must be an integer" in error["message"]


def test_health_answers_without_touching_splunk() -> None:
    listener = RecordingListener()
    defaults = SplunkDefaults(
        host="127.0.0.1",
        port=listener.port,
        scheme="http",
        username="svc",
        password=SecretStr("pw-health"),
        token=None,
        session_key=None,
    )
    try:
        with running_gateway(defaults) as gateway:
            response = httpx.get(f"{gateway.base}/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert listener.connections == 0
    finally:
        listener.close()
