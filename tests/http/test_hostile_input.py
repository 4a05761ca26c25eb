"""Hostile input at the HTTP edge gets a 4xx or a JSON-RPC error that says what to fix; never a 5xx or a traceback.

Headers with CR/LF, NUL, other control characters, invalid UTF-8, non-ASCII, 64 KiB values, duplicates and
unknown names go over raw sockets (httpx refuses to send most of them); the HTTP parser rejects some with its own
400, which is fine. JSON-RPC bodies that are not JSON, not one object, malformed, batched or over the size limit,
wrong Accept, Content-Type and MCP-Protocol-Version headers, in both protocol eras, go over httpx. Every test
checks that the gateway logged no traceback, no ERROR record and no 5xx answer (``tests/logcheck.py``).
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.logcheck import LogWatch, http, log, no_server_errors, stateful, stateless  # noqa: F401 - fixtures used by name
from tests.strategies import json_scalars, json_values
from tests.support import ACCEPT, HANDSHAKE, RawSession, RunningGateway

MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": {"name": "hostile", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
SPLUNK_HEADERS = (
    "X-Splunk-Host",
    "X-Splunk-Port",
    "X-Splunk-Scheme",
    "X-Splunk-Username",
    "X-Splunk-Password",
    "X-Splunk-Token",
    "X-Splunk-Session-Key",
    "X-Splunk-Verify-SSL",
    "X-Splunk-App",
    "X-Splunk-Owner",
)
SECRET_HEADERS = ("X-Splunk-Password", "X-Splunk-Token", "X-Splunk-Session-Key")
PROTOCOL_400 = b"Invalid HTTP request received."  # the HTTP parser's own answer to a request it cannot parse
# CR and LF would start a new header line (the tests above send them on purpose); the properties swap them out.
NO_NEWLINES = {ord("\r"): "\x0b", ord("\n"): "\x0c"}
HEADER_BYTES = st.binary(max_size=300).map(lambda value: value.replace(b"\r", b"\x0b").replace(b"\n", b"\x0c"))
HEADER_TEXT = st.text(max_size=200).map(lambda value: value.translate(NO_NEWLINES))
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- fixtures: one stateful and one stateless gateway, logging into a captured stream --------------------------


# -- raw HTTP ------------------------------------------------------------------------------------------------
@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def error(self) -> dict[str, Any] | None:
        """The JSON-RPC error of a JSON body; None for the HTTP parser's plain-text 400."""
        if PROTOCOL_400 in self.body:
            return None
        error: dict[str, Any] = json.loads(self.body)["error"]
        return error


def modern_request(method: str = "tools/list", params: dict[str, Any] | None = None) -> bytes:
    return json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**(params or {}), "_meta": META}}
    ).encode()


def raw_post(port: int, headers: list[tuple[bytes, bytes]], body: bytes | None = None) -> RawResponse:
    """A 2026-07-28 tools/list (valid on either server, and it never contacts Splunk) with ``headers`` added,
    written byte for byte; the answer is read until the server closes the connection."""
    body = modern_request() if body is None else body
    head = [
        b"POST /mcp HTTP/1.1",
        b"Host: 127.0.0.1:%d" % port,
        b"Accept: " + ACCEPT.encode(),
        b"Content-Type: application/json",
        b"MCP-Protocol-Version: " + MODERN.encode(),
        b"Mcp-Method: tools/list",
        b"Connection: close",
        b"Content-Length: %d" % len(body),
        *(name + b": " + value for name, value in headers),
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # The server may answer and close before it has read everything: its answer is still there to read.
        with contextlib.suppress(OSError):
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        data = bytearray()
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                data.extend(chunk)
    head_bytes, _, payload = bytes(data).partition(b"\r\n\r\n")
    status_line, *header_lines = head_bytes.split(b"\r\n")
    fields = dict(line.decode("latin-1").lower().split(": ", 1) for line in header_lines if b": " in line)
    if fields.get("transfer-encoding") == "chunked":
        payload = _dechunk(payload)
    return RawResponse(int(status_line.split()[1]), fields, payload)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.extend(rest[:size])
        data = rest[size + 2 :]
    return bytes(out)


def header(name: str, value: bytes) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value)]


def assert_serves(gateway: RunningGateway) -> None:
    """The server survived: a normal request right after still gets its answer."""
    response = raw_post(gateway.port, [])
    assert response.status == 200
    assert b'"tools"' in response.body


def assert_refused(response: RawResponse, name: str, *fragments: str) -> None:
    """A 4xx: the HTTP parser's own 400, or the gateway's JSON-RPC 400 naming the header (and ``fragments``)."""
    assert 400 <= response.status < 500, response
    error = response.error()
    if error is None:
        assert response.status == 400
        return
    assert error["code"] == -32600
    assert error["message"].startswith("Bad Request: ")
    assert name.lower() in error["message"].lower(), error
    for fragment in fragments:
        assert fragment in error["message"], error


# -- X-Splunk-* headers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "character",
    [b"\r", b"\n", b"\x00", b"\x01", b"\x1b", b"\x7f", b"\t", "\u0085".encode()],
    ids=["CR", "LF", "NUL", "SOH", "ESC", "DEL", "TAB", "C1-NEL"],
)
def test_control_characters_in_any_splunk_header_get_a_400_and_the_server_keeps_serving(
    stateful: RunningGateway, character: bytes
) -> None:
    for name in SPLUNK_HEADERS:
        response = raw_post(stateful.port, header(name, b"abc" + character + b"def"))
        assert_refused(response, name)
        if (error := response.error()) is not None:
            assert "control characters" in error["message"]
    assert_serves(stateful)


def test_a_bare_cr_in_a_header_line_and_obsolete_line_folding_are_refused(stateful: RunningGateway) -> None:
    assert raw_post(stateful.port, [(b"X-Splunk-Host", b"a\rX-Splunk-Port: 1")]).status == 400
    folded = raw_post(stateful.port, [(b"X-Splunk-Host", b"a\r\n b")])  # obsolete line folding
    assert folded.status == 400
    assert_serves(stateful)


def test_a_bare_lf_ends_a_header_line_so_no_value_ever_holds_a_newline(stateful: RunningGateway) -> None:
    # RFC 9112 lets a recipient take a lone LF as a line ending: the text after it is a header line of its own,
    # validated like any other, never part of the previous value.
    split = raw_post(stateful.port, [(b"X-Splunk-Host", b"a\nX-Splunk-Port: 99999")])
    assert split.status == 400
    assert "X-Splunk-Port must be an integer" in split.error()["message"]  # type: ignore[index]
    assert raw_post(stateful.port, [(b"X-Splunk-Host", b"a.example\nX-Splunk-Port: 8089")]).status == 200
    assert_serves(stateful)


def test_invalid_utf8_in_any_splunk_header_is_a_400_naming_it(stateful: RunningGateway) -> None:
    for name in SPLUNK_HEADERS:
        response = raw_post(stateful.port, header(name, b"caf\xe9-\xff\xfe"))
        assert_refused(response, name, "is not valid UTF-8")


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("X-Splunk-Host", "späť.example.com", "must be a host name or IP address"),
        ("X-Splunk-Port", "８０８９", "must be an integer from 1 to 65535"),
        ("X-Splunk-Scheme", "httpś", "must be 'https' or 'http'"),
        ("X-Splunk-Verify-SSL", "ja", "must be true or false"),
        ("X-Splunk-App", "sécurité", "must be an app or user name"),
        ("X-Splunk-Owner", "jürgen", "must be an app or user name"),
        ("X-Splunk-Token", "tökén-ünïcode", "printable ASCII"),
        ("X-Splunk-Session-Key", "ключ-сессии", "printable ASCII"),
    ],
)
def test_non_ascii_where_splunk_needs_ascii_is_a_400_naming_the_header(
    stateful: RunningGateway, name: str, value: str, fragment: str
) -> None:
    response = raw_post(stateful.port, header(name, value.encode()))
    assert_refused(response, name, fragment)
    if name in SECRET_HEADERS:
        assert value.encode() not in response.body
        assert value.encode("unicode_escape") not in response.body


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("[::1]", True),
        ("::1", True),
        ("fd00::10:2", True),
        ("[::1", False),
        ("::1]", False),
        (":::::", False),
        ("1:2:3:4:5:6:7:8:9", False),
        ("fe80::1%eth0", False),
        ("https://splunk.corp:8089/", False),
        ("splunk.corp/../admin", False),
        ("a" * 300, False),
    ],
)
def test_a_host_must_be_a_host_name_or_a_well_formed_ip_literal(
    stateful: RunningGateway, value: str, accepted: bool
) -> None:
    response = raw_post(stateful.port, header("X-Splunk-Host", value.encode()))
    if accepted:
        assert response.status == 200
    else:
        assert_refused(response, "X-Splunk-Host", "must be a host name or IP address")


def test_non_ascii_user_names_and_passwords_are_accepted(stateful: RunningGateway) -> None:
    credentials = [(b"X-Splunk-Username", "jürgen".encode()), (b"X-Splunk-Password", "pässwört-密码".encode())]
    response = raw_post(stateful.port, credentials)
    assert response.status == 200


@pytest.mark.parametrize("name", SPLUNK_HEADERS)
def test_a_64_kib_header_value_gets_a_4xx_and_the_server_keeps_serving(stateful: RunningGateway, name: str) -> None:
    value = b"A1" * 32768
    response = raw_post(stateful.port, header(name, value))
    assert_refused(response, name, "is too long")
    assert value[:64] not in response.body  # never echoed, secret or not
    assert_serves(stateful)


def test_a_header_repeated_with_the_same_value_counts_once(stateful: RunningGateway) -> None:
    response = raw_post(stateful.port, [(b"X-Splunk-App", b"search"), (b"X-Splunk-App", b"search")])
    assert response.status == 200


@pytest.mark.parametrize("name", SPLUNK_HEADERS)
def test_a_header_repeated_with_different_values_is_a_400_that_echoes_neither(
    stateful: RunningGateway, name: str
) -> None:
    response = raw_post(stateful.port, [(name.encode(), b"first-value1"), (name.encode(), b"other-value2")])
    assert_refused(response, name, "more than once with different values")
    assert b"first-value1" not in response.body
    assert b"other-value2" not in response.body


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("X-Splunk-User", "Did you mean X-Splunk-Username?"),
        ("X-Splunk-Hots", "Did you mean X-Splunk-Host?"),
        ("X-Splunk-Api-Key", "Known headers: X-Splunk-Host"),
        ("X-Splunk-", "Known headers: X-Splunk-Host"),
        ("X-SPLUNK-PASS", "Did you mean X-Splunk-Password?"),
    ],
)
def test_an_unknown_splunk_header_is_a_400_naming_the_known_ones(
    stateful: RunningGateway, name: str, fragment: str
) -> None:
    response = raw_post(stateful.port, header(name, b"value"))
    assert response.status == 400
    error = response.error()
    assert error is not None
    assert "Unknown header" in error["message"]
    assert fragment in error["message"]


def test_a_header_name_with_non_ascii_or_control_bytes_is_refused_by_the_http_parser(
    stateful: RunningGateway,
) -> None:
    for name in ("X-Splunk-Hôst".encode(), b"X-Splunk-\x01Host", b"X-Splunk-Host "):
        assert raw_post(stateful.port, [(name, b"value")]).status == 400
    assert_serves(stateful)


def test_headers_are_refused_the_same_way_by_a_stateless_server(stateless: RunningGateway) -> None:
    assert_refused(raw_post(stateless.port, header("X-Splunk-Port", b"80\x00")), "X-Splunk-Port")
    assert_refused(raw_post(stateless.port, header("X-Splunk-Token", b"x" * 65536)), "X-Splunk-Token", "too long")
    assert_refused(raw_post(stateless.port, header("X-Splunk-Hots", b"a")), "X-Splunk-Hots", "Did you mean")
    assert_serves(stateless)


@PROPERTY
@given(name=st.sampled_from(SPLUNK_HEADERS), value=HEADER_BYTES)
def test_any_bytes_in_any_splunk_header_get_a_200_or_a_400(stateful: RunningGateway, name: str, value: bytes) -> None:
    response = raw_post(stateful.port, header(name, value))
    if response.status != 200:
        assert_refused(response, name)


@PROPERTY
@given(name=st.sampled_from(SPLUNK_HEADERS), value=HEADER_TEXT)
def test_any_text_in_any_splunk_header_gets_a_200_or_a_400(stateful: RunningGateway, name: str, value: str) -> None:
    response = raw_post(stateful.port, header(name, value.encode()))
    if response.status != 200:
        assert_refused(response, name)


@PROPERTY
@given(name=st.sampled_from(SECRET_HEADERS), tail=HEADER_BYTES)
def test_a_refused_credential_header_is_never_echoed(stateful: RunningGateway, name: str, tail: bytes) -> None:
    marker = b"Zq9SecretMarker"
    response = raw_post(stateful.port, [(name.encode(), marker + tail), (name.encode(), marker + b"-other")])
    assert response.status == 400  # sent twice with different values, at least
    assert marker not in response.body


# -- JSON-RPC over HTTP --------------------------------------------------------------------------------------
@dataclass
class Era:
    """How one kind of client reaches the gateway: which server, and which headers go with a body."""

    name: str
    gateway: RunningGateway
    headers: dict[str, str]

    def post(self, http: httpx.Client, body: bytes, method: str = "tools/list", **extra: str) -> httpx.Response:
        headers = {**self.headers, "Content-Type": "application/json", **extra}
        if self.name == "modern":
            headers.setdefault("Mcp-Method", method)
        return http.post(self.gateway.url, content=body, headers=headers)


@pytest.fixture(params=["handshake-session", "handshake-stateless", "modern"])
def era(request: pytest.FixtureRequest, http: httpx.Client) -> Iterator[Era]:
    if request.param == "handshake-session":
        gateway: RunningGateway = request.getfixturevalue("stateful")
        session = RawSession(http, gateway.url)
        session.initialize()
        yield Era(request.param, gateway, session.headers())
        session.delete()
    elif request.param == "handshake-stateless":
        gateway = request.getfixturevalue("stateless")
        yield Era(request.param, gateway, {"Accept": ACCEPT, "MCP-Protocol-Version": HANDSHAKE})
    else:
        gateway = request.getfixturevalue("stateful")
        yield Era(request.param, gateway, {"Accept": ACCEPT, "MCP-Protocol-Version": MODERN})


def rpc_messages(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
    return [response.json()] if response.content else []


def rpc_error(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC error of a 4xx (or of a 200 carrying one); fails if there is none."""
    assert response.status_code < 500, response.text
    messages = [m for m in rpc_messages(response) if "error" in m]
    assert messages, (response.status_code, response.text[:300])
    error: dict[str, Any] = messages[0]["error"]
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


def body(document: Any, era: str = "") -> bytes:
    """``document`` as a body; a 2026-07-28 request also carries the _meta envelope when it has params."""
    if era == "modern" and isinstance(document, dict) and isinstance(document.get("params", {}), dict):
        document = {**document, "params": {**document.get("params", {}), "_meta": META}}
    return json.dumps(document).encode()


MALFORMED: list[tuple[str, bytes, str]] = [
    ("not JSON", b"this is not json", "Parse error"),
    ("empty body", b"", "Parse error"),
    ("truncated JSON", b'{"jsonrpc": "2.0", "id": 1,', "Parse error"),
    ("invalid UTF-8", b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list\xff"}', "Parse error"),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, "Parse error"),
    ("a number", b"42", "is a JSON number, not a JSON-RPC message"),
    ("a string", b'"tools/list"', "is a JSON string, not a JSON-RPC message"),
    ("null", b"null", "is a JSON null, not a JSON-RPC message"),
    ("an empty array", b"[]", "empty JSON array"),
]
# Objects: the 2026-07-28 variant gets params._meta added (see body()).
MALFORMED_OBJECTS: list[tuple[str, dict[str, Any], str]] = [
    ("no jsonrpc", {"id": 1, "method": "tools/list"}, '"jsonrpc" must be "2.0"'),
    ("jsonrpc 1.0", {"jsonrpc": "1.0", "id": 1, "method": "tools/list"}, '"jsonrpc" must be "2.0"'),
    ("jsonrpc a number", {"jsonrpc": 2, "id": 1, "method": "tools/list"}, '"jsonrpc" must be "2.0"'),
    ("no method", {"jsonrpc": "2.0", "id": 1}, '"method" is missing'),
    ("method a number", {"jsonrpc": "2.0", "id": 1, "method": 7}, '"method" must be a string'),
    ("method an object", {"jsonrpc": "2.0", "id": 1, "method": {"name": "tools/list"}}, '"method" must be a string'),
    ("id an object", {"jsonrpc": "2.0", "id": {"n": 1}, "method": "tools/list"}, '"id" must be a string or an'),
    ("id an array", {"jsonrpc": "2.0", "id": [1], "method": "tools/list"}, '"id" must be a string or an'),
    ("id null", {"jsonrpc": "2.0", "id": None, "method": "tools/list"}, '"id" must be a string or an'),
    ("id a fraction", {"jsonrpc": "2.0", "id": 1.5, "method": "tools/list"}, '"id" must be a string or an'),
    ("id a boolean", {"jsonrpc": "2.0", "id": True, "method": "tools/list"}, '"id" must be a string or an'),
    ("params an array", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1, 2]}, '"params" must be'),
    ("params a string", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": "x"}, '"params" must be'),
    ("params a number", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": 3}, '"params" must be'),
]


@pytest.mark.parametrize(("case", "payload", "fragment"), MALFORMED, ids=[case for case, _, _ in MALFORMED])
def test_a_body_that_is_not_one_json_rpc_object_gets_a_400_saying_so(
    era: Era, http: httpx.Client, case: str, payload: bytes, fragment: str
) -> None:
    response = era.post(http, payload)
    assert response.status_code == 400, response.text
    error = rpc_error(response)
    assert error["code"] in (-32700, -32600)
    assert fragment in error["message"]
    assert "validation error" not in error["message"].lower()  # no pydantic dump


@pytest.mark.parametrize(
    ("case", "document", "fragment"), MALFORMED_OBJECTS, ids=[case for case, _, _ in MALFORMED_OBJECTS]
)
def test_a_malformed_json_rpc_object_gets_a_400_naming_the_member_to_fix(
    era: Era, http: httpx.Client, case: str, document: dict[str, Any], fragment: str
) -> None:
    response = era.post(http, body(document, era.name))
    assert response.status_code == 400, response.text  # never a 202 that leaves the client waiting for a reply
    error = rpc_error(response)
    assert error["code"] == -32600
    assert fragment in error["message"]
    assert "validation error" not in error["message"].lower()


# Requests that also carry a response's members: the stateless SDK took them for responses (202, and no reply
# ever came); the others answer them as requests. Either an answer to the id or a 400 naming the problem.
REQUESTS_LIKE_RESPONSES = [
    {"jsonrpc": "2.0", "id": 0, "method": "tools/list", "result": {}},
    {"jsonrpc": "2.0", "id": "a", "method": "ping", "result": None},
    {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "user_agent_info"}, "error": {}},
]


@pytest.mark.parametrize("document", REQUESTS_LIKE_RESPONSES, ids=["result", "null result", "error"])
def test_a_request_carrying_result_or_error_is_answered_or_refused_never_left_without_a_reply(
    era: Era, http: httpx.Client, document: dict[str, Any]
) -> None:
    response = era.post(http, body(document, era.name))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        message = rpc_error(response)["message"]
        if era.name == "handshake-stateless":  # the case the SDK answered 202
            assert 'must not carry "result" or "error"' in message
    else:
        assert any(message.get("id") == document["id"] for message in rpc_messages(response))


def test_a_batch_is_refused_with_a_400_saying_to_send_one_message_per_post(era: Era, http: httpx.Client) -> None:
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}]
    response = era.post(http, json.dumps(batch).encode())
    assert response.status_code == 400
    error = rpc_error(response)
    assert error["code"] == -32600
    assert "batches" in error["message"]
    assert "send each message in its own POST" in error["message"]


def test_an_unknown_method_is_a_json_rpc_method_not_found(era: Era, http: httpx.Client) -> None:
    response = era.post(
        http, body({"jsonrpc": "2.0", "id": 5, "method": "frobnicate", "params": {}}, era.name), "frobnicate"
    )
    assert response.status_code in (200, 404)
    error = rpc_error(response)
    assert error["code"] == -32601


def test_an_unknown_notification_is_accepted_and_dropped(era: Era, http: httpx.Client) -> None:
    response = era.post(
        http, body({"jsonrpc": "2.0", "method": "notifications/frobnicated"}), "notifications/frobnicated"
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"arguments": {}}, '"params.name" must be'),
        ({"name": "whoami", "arguments": [1, 2]}, '"params.arguments" must be a JSON object'),
        ({"name": "whoami", "arguments": "query=index=main"}, '"params.arguments" must be a JSON object'),
        ({"name": "whoami", "arguments": 42}, '"params.arguments" must be a JSON object'),
    ],
)
def test_tools_call_params_of_the_wrong_type_get_a_json_rpc_invalid_params_naming_them(
    era: Era, http: httpx.Client, params: dict[str, Any], fragment: str
) -> None:
    document = {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": params}
    response = era.post(http, body(document, era.name), "tools/call", **{"Mcp-Name": "whoami"})
    error = rpc_error(response)
    assert error["code"] == -32602
    assert fragment in error["message"]
    assert response.json()["id"] == 9  # the answer goes to the request that was wrong


def test_a_tools_call_whose_name_is_not_a_string_is_refused(era: Era, http: httpx.Client) -> None:
    document = {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": 5, "arguments": {}}}
    response = era.post(http, body(document, era.name), "tools/call", **{"Mcp-Name": "5"})
    error = rpc_error(response)
    # The 2026-07-28 entry compares Mcp-Name with the body first: a clear header mismatch (-32020) is fine too.
    assert error["code"] in (-32602, -32020)
    assert "name" in error["message"]


def test_resources_read_with_a_uri_that_is_not_a_string_is_refused(era: Era, http: httpx.Client) -> None:
    document = {"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": 12}}
    response = era.post(http, body(document, era.name), "resources/read", **{"Mcp-Name": "12"})
    error = rpc_error(response)
    assert error["code"] in (-32602, -32020)
    assert "uri" in error["message"].lower() or "name" in error["message"].lower()


def test_a_body_over_4_mib_gets_413_with_a_json_rpc_error(era: Era, http: httpx.Client) -> None:
    big = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "run_search", "arguments": {}}}
    big["params"]["arguments"] = {"query": "x" * (4 * 1024 * 1024 + 1)}
    response = era.post(http, body(big, era.name), "tools/call", **{"Mcp-Name": "run_search"})
    assert response.status_code == 413
    error = rpc_error(response)
    assert "at most 4 MiB" in error["message"]


def test_a_chunked_body_over_4_mib_gets_413(stateful: RunningGateway) -> None:
    port = stateful.port
    head = (
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: application/json, text/event-stream\r\n"
        b"Content-Type: application/json\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % port
    )
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(head)
            for _ in range(80):  # 5 MiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # answered and closed before the end: the status line is already on its way
        status_line = sock.recv(65536).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"413"
    assert_serves(stateful)


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream", "text/html", ""])
def test_a_wrong_accept_header_gets_406_saying_what_to_accept(era: Era, http: httpx.Client, accept: str) -> None:
    response = era.post(http, body({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, era.name), Accept=accept)
    assert response.status_code == 406
    error = rpc_error(response)
    assert "application/json" in error["message"]
    assert "text/event-stream" in error["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_wrong_content_type_gets_a_400_asking_for_json(era: Era, http: httpx.Client, content_type: str) -> None:
    document = body({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, era.name)
    response = era.post(http, document, **{"Content-Type": content_type})
    assert response.status_code in (400, 415)
    error = rpc_error(response)
    assert "Content-Type" in error["message"]
    assert "application/json" in error["message"]


@pytest.mark.parametrize("version", ["1999-01-01", "garbage", "", "2025-11-25; drop table", "2099-01-01"])
def test_an_unsupported_protocol_version_header_gets_a_400_listing_the_supported_ones(
    stateful: RunningGateway, http: httpx.Client, version: str
) -> None:
    session = RawSession(http, stateful.url)
    session.initialize()
    headers = {**session.headers(), "MCP-Protocol-Version": version, "Content-Type": "application/json"}
    response = http.post(
        stateful.url, content=body({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}), headers=headers
    )
    assert response.status_code == 400
    error = rpc_error(response)
    assert error["code"] == -32022
    assert "Unsupported MCP-Protocol-Version" in error["message"]
    assert "2025-11-25" in error["message"]
    assert MODERN in error["message"]
    assert MODERN in error["data"]["supported"]
    session.delete()


def test_a_protocol_version_header_with_binary_bytes_gets_a_400(stateful: RunningGateway) -> None:
    port = stateful.port
    payload = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}'
    request = (
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: application/json, text/event-stream\r\n"
        b"Content-Type: application/json\r\nMCP-Protocol-Version: \xff\xfe2026\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % (port, len(payload))
    ) + payload
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Unsupported MCP-Protocol-Version" in answer


def test_2026_requests_whose_headers_disagree_with_the_body_get_a_400(
    http: httpx.Client, stateful: RunningGateway
) -> None:
    base = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": MODERN}
    cases = [
        ({"Mcp-Method": "tools/call"}, modern_request("tools/list"), -32020),  # method header differs
        ({}, modern_request("tools/list"), -32020),  # method header missing
        ({"Mcp-Method": "tools/call", "Mcp-Name": "other"}, modern_request("tools/call", {"name": "whoami"}), -32020),
        ({"Mcp-Method": "tools/list", "MCP-Protocol-Version": "2099-01-01"}, modern_request("tools/list"), -32020),
    ]
    for headers, payload, code in cases:
        response = http.post(stateful.url, content=payload, headers={**base, **headers})
        assert response.status_code == 400
        assert rpc_error(response)["code"] == code
    consistent = {**META, "io.modelcontextprotocol/protocolVersion": "2099-01-01"}
    unknown = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": consistent}})
    response = http.post(
        stateful.url,
        content=unknown,
        headers={**base, "MCP-Protocol-Version": "2099-01-01", "Mcp-Method": "tools/list"},
    )
    assert response.status_code == 400
    error = rpc_error(response)
    assert error["code"] == -32022
    assert MODERN in error["data"]["supported"]


def test_a_2026_request_without_the_meta_envelope_gets_a_400_naming_it(
    http: httpx.Client, stateful: RunningGateway
) -> None:
    headers = {
        "Accept": ACCEPT,
        "Content-Type": "application/json",
        "MCP-Protocol-Version": MODERN,
        "Mcp-Method": "tools/list",
    }
    for params in ({}, {"_meta": "x"}, {"_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}):
        response = http.post(
            stateful.url,
            content=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": params}),
            headers=headers,
        )
        assert response.status_code == 400
        assert "params._meta" in rpc_error(response)["message"]


def test_a_400_to_a_request_without_a_session_carries_no_ghost_session_id(
    stateful: RunningGateway, http: httpx.Client
) -> None:
    headers = {"Accept": ACCEPT, "Content-Type": "application/json"}
    for payload in (b"[1, 2]", b"not json", b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}'):
        response = http.post(stateful.url, content=payload, headers=headers)
        assert response.status_code == 400
        assert "mcp-session-id" not in response.headers  # a client that picked it up would only get 404


def test_unknown_or_malformed_session_ids_get_404(stateful: RunningGateway, http: httpx.Client) -> None:
    for session_id in ("0" * 32, "../../etc/passwd", "x" * 4096, "ünïcode"):
        headers = {
            "Accept": ACCEPT,
            "Content-Type": "application/json",
            "MCP-Protocol-Version": HANDSHAKE,
            "Mcp-Session-Id": session_id.encode(),  # bytes: httpx sends them as they are
        }
        response = http.post(
            stateful.url, content=body({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}), headers=headers
        )
        assert response.status_code == 404
        assert rpc_error(response)["message"] == "Session not found"


def test_other_http_methods_get_a_4xx(stateful: RunningGateway, stateless: RunningGateway, http: httpx.Client) -> None:
    for gateway in (stateful, stateless):
        for method in ("PUT", "PATCH", "OPTIONS"):
            response = http.request(method, gateway.url, headers={"Accept": ACCEPT})
            assert 400 <= response.status_code < 500, (method, response.status_code)
        response = http.get(gateway.url, headers={"Accept": "application/json"})
        assert 400 <= response.status_code < 500


def test_a_deeply_nested_body_on_a_stateless_server_is_a_parse_error_not_a_500(
    stateless: RunningGateway, http: httpx.Client
) -> None:
    headers = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": HANDSHAKE}
    for payload in (b"[" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000):
        response = http.post(stateless.url, content=payload, headers=headers)
        assert response.status_code == 400
        assert rpc_error(response)["code"] == -32700
    assert_serves(stateless)


# -- properties over JSON-RPC bodies ---------------------------------------------------------------------------
JSON_SCALARS = json_scalars(max_text=20)
JSON_VALUES = json_values(max_text=20, max_leaves=12)
METHODS = st.sampled_from(
    [
        "tools/list",
        "tools/call",
        "ping",
        "resources/list",
        "resources/read",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "notifications/initialized",
        "notifications/cancelled",
    ]
) | st.text(max_size=20)
MESSAGES = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "1.0"]) | JSON_SCALARS,
        "id": st.integers(min_value=-(2**40), max_value=2**40) | st.text(max_size=10) | JSON_VALUES,
        "method": METHODS | JSON_SCALARS,
        "params": st.dictionaries(st.sampled_from(["name", "arguments", "uri", "cursor", "x"]), JSON_VALUES, max_size=3)
        | JSON_VALUES,
        "result": JSON_VALUES,
        "error": JSON_VALUES,
    },
)


def owed_a_reply(document: object) -> bool:
    """A request: a string method (not a notification's) and an id member, whatever its value."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("method"), str)
        and not document["method"].startswith("notifications/")
        and "id" in document
    )


def check_answer(response: httpx.Response, document: object) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 202:
        assert not owed_a_reply(document), "a request was answered 202: the client would wait forever"
        return
    messages = rpc_messages(response)
    assert len(messages) >= 1, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert messages[-1]["error"]["message"]


def header_safe(value: object) -> str:
    """``value`` if an HTTP client can send it as a header value as it is, else tools/list."""
    sendable = isinstance(value, str) and value.isascii() and value.isprintable() and value == value.strip() != ""
    return value if sendable and isinstance(value, str) else "tools/list"


@PROPERTY
@given(document=MESSAGES | JSON_VALUES)
def test_any_json_body_gets_an_answer_or_a_clear_error_in_a_session(
    stateful: RunningGateway, http: httpx.Client, document: Any
) -> None:
    session = RawSession(http, stateful.url)
    session.initialize()  # a fresh session each time: a hostile message must not spoil the next example
    response = http.post(
        stateful.url, content=json.dumps(document), headers={**session.headers(), "Content-Type": "application/json"}
    )
    check_answer(response, document)
    session.delete()


@PROPERTY
@given(document=MESSAGES | JSON_VALUES)
def test_any_json_body_gets_an_answer_or_a_clear_error_on_a_stateless_server(
    stateless: RunningGateway, http: httpx.Client, document: Any
) -> None:
    headers = {"Accept": ACCEPT, "Content-Type": "application/json", "MCP-Protocol-Version": HANDSHAKE}
    check_answer(http.post(stateless.url, content=json.dumps(document), headers=headers), document)


@PROPERTY
@given(document=MESSAGES)
def test_any_json_body_gets_an_answer_or_a_clear_error_from_a_2026_request(
    stateful: RunningGateway, http: httpx.Client, document: dict[str, Any]
) -> None:
    if isinstance(document.get("params"), dict):
        document = {**document, "params": {**document["params"], "_meta": META}}
    headers = {
        "Accept": ACCEPT,
        "Content-Type": "application/json",
        "MCP-Protocol-Version": MODERN,
        "Mcp-Method": header_safe(document.get("method")),
    }
    params = document.get("params")
    if isinstance(params, dict) and isinstance(params.get("name"), str):
        headers["Mcp-Name"] = header_safe(params["name"])
    check_answer(http.post(stateful.url, content=json.dumps(document), headers=headers), document)


@PROPERTY
@given(payload=st.binary(max_size=2000))
def test_any_bytes_as_a_body_get_a_4xx_or_an_answer(
    stateless: RunningGateway, http: httpx.Client, payload: bytes
) -> None:
    for version in (HANDSHAKE, MODERN):
        headers = {
            "Accept": ACCEPT,
            "Content-Type": "application/json",
            "MCP-Protocol-Version": version,
            "Mcp-Method": "tools/list",
        }
        response = http.post(stateless.url, content=payload, headers=headers)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert rpc_error(response)


# -- defects outside the HTTP layer, reported; strict, so they flip when fixed --------------------------------------
def test_a_request_with_a_mebibyte_of_headers_is_refused(stateful: RunningGateway, no_server_errors: LogWatch) -> None:
    flood = [(b"X-Padding-%d" % number, b"p" * 65536) for number in range(16)]
    response = raw_post(stateful.port, flood)
    no_server_errors.assert_clean()
    assert response.status in (400, 431)
