"""X-Splunk-* headers are validated once, at the HTTP edge: bad values are a clear 400 before MCP runs.

A refusal names the header and what is expected, and never echoes the value: a client may have put a secret in
the wrong header. The same holds for MCP-Protocol-Version, whose value answers used to repeat.
"""

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
from tests.support import ACCEPT, RawSession, RecordingListener, RunningGateway, running_gateway, sandbox_defaults


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


# A secret-looking value each header refuses, built around two markers no answer may contain.
MARKERS = (b"Zq9Secret", b"hunter2")
SECRET_LOOKING = {
    "X-Splunk-Host": b"Zq9Secret-hunter2/path",
    "X-Splunk-Port": b"Zq9Secret-hunter2",
    "X-Splunk-Scheme": b"Zq9Secret-hunter2",
    "X-Splunk-Username": b"Zq9Secret hunter2",
    "X-Splunk-Password": b"Zq9Secret-\xff-hunter2",  # a password may be any text, but it must be UTF-8
    "X-Splunk-Token": b"Zq9Secret hunter2",
    "X-Splunk-Session-Key": "Zq9Secret-hünter2".encode(),
    "X-Splunk-Verify-SSL": b"Zq9Secret-hunter2",
    "X-Splunk-App": b"Zq9Secret/hunter2",
    "X-Splunk-Owner": b"Zq9Secret/hunter2",
}


def test_the_secret_looking_values_cover_every_known_splunk_header() -> None:
    with pytest.raises(HeaderError) as raised:
        parse_splunk_headers([(b"x-splunk-unknown", b"v")])
    known = str(raised.value).split("Known headers: ")[1].rstrip(".").split(", ")
    assert sorted(SECRET_LOOKING) == sorted(known)


@pytest.mark.parametrize(("name", "value"), SECRET_LOOKING.items(), ids=SECRET_LOOKING.keys())
def test_a_bad_value_in_any_splunk_header_is_a_400_that_names_it_and_never_echoes_the_value(
    gateway: RunningGateway, name: str, value: bytes
) -> None:
    response = httpx.post(
        gateway.url,
        headers=[(b"Accept", b"application/json, text/event-stream"), (name.encode(), value)],
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert name in message
    for fragment in (value, *MARKERS):
        assert fragment not in response.content, message


@pytest.mark.parametrize(("name", "value"), SECRET_LOOKING.items(), ids=SECRET_LOOKING.keys())
def test_a_refused_splunk_header_says_what_is_expected_without_its_value(name: str, value: bytes) -> None:
    with pytest.raises(HeaderError) as raised:
        parse_splunk_headers([(name.lower().encode(), value)])
    message = str(raised.value)
    assert name in message
    assert not any(marker.decode() in message for marker in MARKERS), message
    if name not in ("X-Splunk-Password", "X-Splunk-Token", "X-Splunk-Session-Key"):
        assert "for example" in message  # a good value to copy; never one for a secret


# -- MCP-Protocol-Version: the SDK echoed it in data.requested, and so did the handshake-era rewrite ------------------
MODERN = "2026-07-28"


def modern_tools_list(version: str) -> dict[str, object]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}


@pytest.mark.parametrize(("version", "requested"), [("Zq9Secret-hunter2", ""), ("2099-01-01", "2099-01-01")])
def test_an_unsupported_protocol_version_is_reported_back_only_when_it_is_date_shaped(
    gateway: RunningGateway, version: str, requested: str
) -> None:
    with httpx.Client(timeout=30) as http:
        session = RawSession(http, gateway.url)
        session.initialize()
        handshake = http.post(
            gateway.url,
            json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            headers=session.headers({"MCP-Protocol-Version": version}),
        )
        session.delete()
        modern = http.post(
            gateway.url,
            json=modern_tools_list(version),
            headers={"Accept": ACCEPT, "MCP-Protocol-Version": version, "Mcp-Method": "tools/list"},
        )
    for response in (handshake, modern):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == -32022
        assert "MCP-Protocol-Version" in error["message"]
        assert MODERN in error["data"]["supported"]
        assert error["data"]["requested"] == requested
        assert not any(marker in response.content for marker in MARKERS), response.text


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
        assert response.json()["shared_state"] == "off"  # no MCP_SPLUNK_STATE_URL
        assert listener.connections == 0
    finally:
        listener.close()
