"""A Host that is not exactly ``host[:port]``, or an Origin that is not ``scheme://host[:port]``, is refused.

FastMCP's own check cut ``127.0.0.1:8003@evil.example`` down to 127.0.0.1 and served it. The validator is checked
with Hypothesis; a sampled class of attacks goes to a real gateway over raw sockets (httpx always sends exactly
one Host), on /mcp and on /health. A refusal is a 400 (malformed) or FastMCP's 421 (well-formed but foreign), or
h11's own 400 for what it cannot parse, and never carries the value that was sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.http.host_authority import (
    DUPLICATE_HOST,
    DUPLICATE_ORIGIN,
    MALFORMED_HOST,
    MALFORMED_ORIGIN,
    MISSING_HOST,
    HostAuthorityMiddleware,
    is_authority,
    is_origin,
)
from tests.support import ACCEPT, RunningGateway, no_defaults, running_gateway

MODERN = "2026-07-28"
TOOLS_LIST = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/list",
        "params": {
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": MODERN,
                "io.modelcontextprotocol/clientInfo": {"name": "host-check", "version": "0"},
                "io.modelcontextprotocol/clientCapabilities": {},
            }
        },
    }
).encode()
OUR_ANSWERS = {MALFORMED_HOST, DUPLICATE_HOST, MISSING_HOST, MALFORMED_ORIGIN, DUPLICATE_ORIGIN}
H11_400 = b"Invalid HTTP request received."
PROPERTY = settings(max_examples=300, deadline=None)


# -- the validator, as a pure function ------------------------------------------------------------------------
LABELS = st.from_regex(r"\A[a-z0-9_](?:[a-z0-9_-]{0,20}[a-z0-9_])?\Z")
TOP_LABELS = st.from_regex(r"\A[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?\Z")  # a numeric last label spells an IPv4 address
NAMES = st.builds(lambda labels, top: ".".join([*labels, top]), st.lists(LABELS, max_size=3), TOP_LABELS)
HOSTS = (
    NAMES
    | NAMES.map(str.upper)
    | NAMES.map(lambda name: name + ".")
    | st.ip_addresses(v=4).map(str)
    | st.ip_addresses(v=6).map(lambda address: f"[{address}]")
)
PORTS = st.integers(min_value=0, max_value=65535).map(str)
AUTHORITIES = st.builds(lambda host, port: host if port is None else f"{host}:{port}", HOSTS, st.none() | PORTS)
# Characters that never belong in an authority: delimiters of other URL parts, whitespace, controls, non-ASCII.
FORBIDDEN = st.sampled_from(list('@/?#\\% \t"<>{}|^`,;=') + [chr(c) for c in range(32)] + ["\x7f", "\x85", "é", "ı"])
BAD_PORTS = (
    st.integers(min_value=65536, max_value=10**12).map(str)
    | st.integers(max_value=-1).map(str)
    | st.sampled_from(["", "+80", " 80", "80 ", "80a", "0x50", "８０", "1e3", "80.0", "000080", "80:80"])
)


@PROPERTY
@given(authority=AUTHORITIES)
def test_every_well_formed_host_and_port_is_an_authority(authority: str) -> None:
    assert is_authority(authority)


@PROPERTY
@given(authority=AUTHORITIES, position=st.integers(min_value=0), bad=FORBIDDEN)
def test_a_forbidden_character_anywhere_makes_a_value_no_authority(authority: str, position: int, bad: str) -> None:
    cut = position % (len(authority) + 1)
    assert not is_authority(authority[:cut] + bad + authority[cut:])


@PROPERTY
@given(authority=AUTHORITIES, userinfo=st.from_regex(r"\A[a-z0-9:._-]{0,20}\Z"))
def test_user_info_in_front_of_any_authority_is_refused(authority: str, userinfo: str) -> None:
    assert not is_authority(f"{userinfo}@{authority}")


@PROPERTY
@given(host=HOSTS, port=BAD_PORTS)
def test_a_port_that_is_not_a_decimal_from_0_to_65535_is_refused(host: str, port: str) -> None:
    assert not is_authority(f"{host}:{port}")


@PROPERTY
@given(address=st.ip_addresses(v=6).map(str), port=st.none() | PORTS)
def test_an_ipv6_address_without_brackets_is_refused(address: str, port: str | None) -> None:
    assert not is_authority(address if port is None else f"{address}:{port}")


@PROPERTY
@given(authority=AUTHORITIES, scheme=st.sampled_from(["http", "https", "chrome-extension", "vscode-webview"]))
def test_a_scheme_and_an_authority_make_an_origin_and_anything_after_them_does_not(authority: str, scheme: str) -> None:
    assert is_origin(f"{scheme}://{authority}")
    for suffix in ("/", "/path", "?q", "#f", "@evil.example", " "):
        assert not is_origin(f"{scheme}://{authority}{suffix}")


MALFORMED_LITERALS = [
    *("[::1]:", "[::1]x", "[::1", "::1]", "[]", "[127.0.0.1]", "[v1.x]", "[fe80::1%eth0]", "[localhost]"),
    *(".", ".a", "a..b", "a.-b", "-a", "a-", "a" * 64 + ".example", ("a" * 62 + ".") * 4 + "example"),
    *("127.1", "0177.0.0.1", "127.000.000.001", "2130706433", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5"),
]


@pytest.mark.parametrize("value", MALFORMED_LITERALS)
def test_malformed_literals_names_and_numeric_spellings_are_refused(value: str) -> None:
    assert not is_authority(value)


@pytest.mark.parametrize("value", ["localhost.", "a.b.c", "my_service:8003", "[::ffff:127.0.0.1]:0", "x:65535"])
def test_edge_forms_of_valid_authorities_are_accepted(value: str) -> None:
    assert is_authority(value)


def test_null_is_an_origin_and_other_spellings_are_not() -> None:
    assert is_origin("null")
    for value in ("NULL", "null ", "", "http://", "://localhost", "http:localhost", "1http://a", "http:/a"):
        assert not is_origin(value), value


# -- the middleware in process: what h11 refuses before any ASGI app sees it --------------------------------------
@dataclass
class Recorded:
    scopes: list[dict[str, Any]]
    sent: list[dict[str, Any]]

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def message(self) -> str:
        return str(json.loads(self.sent[1]["body"])["error"]["message"])


async def call(scope_type: str, path: str, headers: list[tuple[bytes, bytes]]) -> Recorded:
    recorded = Recorded([], [])

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        recorded.scopes.append(scope)

    async def send(message: dict[str, Any]) -> None:
        recorded.sent.append(message)

    scope = {"type": scope_type, "method": "GET", "path": path, "headers": headers}
    await HostAuthorityMiddleware(app)(scope, None, send)
    return recorded


async def test_two_host_or_two_origin_headers_are_refused_even_when_equal() -> None:
    host = (b"host", b"127.0.0.1:8003")
    twice = await call("http", "/mcp", [host, host])
    assert (twice.status, twice.message, twice.scopes) == (400, DUPLICATE_HOST, [])
    origin = (b"origin", b"http://127.0.0.1:8003")
    both = await call("http", "/mcp", [host, origin, origin])
    assert (both.status, both.message, both.scopes) == (400, DUPLICATE_ORIGIN, [])


async def test_health_without_a_host_is_passed_on_with_a_host_fastmcp_allows() -> None:
    recorded = await call("http", "/health", [])
    assert recorded.sent == []
    assert recorded.scopes[0]["headers"] == [(b"host", b"localhost")]


async def test_non_http_scopes_pass_through_untouched() -> None:
    recorded = await call("websocket", "/mcp", [(b"host", b"a@evil.example")])
    assert recorded.sent == []
    assert len(recorded.scopes) == 1


# -- a real gateway over raw sockets ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    with running_gateway(no_defaults()) as running:
        yield running


@dataclass
class Answer:
    status: int
    body: bytes

    def assert_refused(self, value: bytes, *statuses: int) -> None:
        assert self.status in statuses, (self.status, self.body[:300])
        if value:
            assert value not in self.body, self.body[:300]
        if self.body.startswith(b"{"):  # ours: one of the fixed answers, so nothing of the request in it
            assert json.loads(self.body)["error"]["message"] in OUR_ANSWERS
        else:
            assert self.body in (b"Misdirected Request", b"Forbidden Origin", H11_400), self.body[:300]


async def exchange(
    port: int, target: str, headers: list[tuple[bytes, bytes]], *, version: bytes = b"HTTP/1.1"
) -> Answer:
    """One request written byte for byte (Host only if ``headers`` has it), read until the server closes."""
    method, path = target.split(" ", 1)
    body = TOOLS_LIST if method == "POST" else b""
    head = [f"{method} {path} ".encode() + version, b"Connection: close", b"Content-Length: %d" % len(body)]
    if method == "POST":
        head += [b"Accept: " + ACCEPT.encode(), b"Content-Type: application/json"]
        head += [b"MCP-Protocol-Version: " + MODERN.encode(), b"Mcp-Method: tools/list"]
    head += [name + b": " + value for name, value in headers]
    with anyio.fail_after(10):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
    status_line, _, rest = data.partition(b"\r\n")
    return Answer(int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2])


TARGETS = ["POST /mcp", "GET /health", "GET /nowhere"]
# "{p}" is the gateway's port: most attacks dress up the one Host that would be served.
MALFORMED_HOSTS = {
    "userinfo": "a@evil.example",
    "userinfo after the port": "127.0.0.1:{p}@evil.example",
    "user and password": "user:pw@127.0.0.1:{p}",
    "foreign userinfo": "evil.example@127.0.0.1:{p}",
    "path": "127.0.0.1:{p}/mcp",
    "path without port": "localhost/admin",
    "query": "127.0.0.1:{p}?x=1",
    "fragment": "127.0.0.1:{p}#frag",
    "backslash": "127.0.0.1:{p}\\evil.example",
    "backslash userinfo": "evil.example\\@127.0.0.1:{p}",
    "percent-encoded colon": "127.0.0.1%3A{p}",
    "percent-encoded letter": "local%68ost:{p}",
    "space inside": "127.0.0.1 :{p}",
    "space before the port": "127.0.0.1: {p}",
    "tab inside": "127.0.0.1:\t{p}",
    "NUL": "127.0.0.1\x00:{p}",
    "ESC": "127.0.0.1\x1b:{p}",
    "DEL": "127.0.0.1:{p}\x7f",
    "non-ASCII look-alike": "lоcalhost:{p}",
    "empty": "",
    "port only": ":{p}",
    "empty port": "evil-host.example:",
    "port 99999": "127.0.0.1:99999",
    "port -1": "127.0.0.1:-1",
    "port +80": "127.0.0.1:+80",
    "port 80a": "127.0.0.1:80a",
    "port with space": "127.0.0.1: 80",
    "two ports": "127.0.0.1:{p}:{p}",
    "unbracketed IPv6": "::1:{p}",
    "unbracketed IPv6 alone": "fe80::abcd",
    "unclosed bracket": "[::1:{p}",
    "unopened bracket": "::1]:{p}",
    "text after the bracket": "[::1]x:{p}",
    "bracketed IPv4": "[127.0.0.1]:{p}",
    "zone id": "[fe80::1%25eth0]:{p}",
    "double trailing dot": "localhost..:{p}",
    "leading dot": ".localhost:{p}",
    "empty label": "127..0.0.1:{p}",
    "short IPv4": "127.1:{p}",
    "octal IPv4": "0177.0.0.1:{p}",
    "integer IPv4": "2130706433:{p}",
    "hex IPv4": "0x7f.0.0.1:{p}",
    "overlong name": "a" * 300 + ":{p}",
    "overlong label": "a" * 64 + ".example:{p}",
}
FOREIGN_HOSTS = {
    "foreign name": "evil.example",
    "foreign name and port": "evil.example:{p}",
    "trailing dot": "localhost.:{p}",
    "other loopback address": "127.0.0.2:{p}",
    "other IPv6 address": "[::2]:{p}",
    "loopback as a subdomain": "localhost.evil.example:{p}",
}
VALID_HOSTS = ["127.0.0.1:{p}", "localhost:{p}", "LOCALHOST:{p}", "127.0.0.1", "localhost", "[::1]:{p}", "[::1]"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("value", MALFORMED_HOSTS.values(), ids=MALFORMED_HOSTS.keys())
async def test_a_malformed_host_gets_a_400_that_does_not_echo_it(
    gateway: RunningGateway, target: str, value: str
) -> None:
    sent = value.replace("{p}", str(gateway.port)).encode()
    answer = await exchange(gateway.port, target, [(b"Host", sent)])
    answer.assert_refused(sent, 400)


# Not /health: a balancer probes it with a Host of its own (tests/http/test_drain.py).
@pytest.mark.parametrize("target", ["POST /mcp", "GET /nowhere"])
@pytest.mark.parametrize("value", FOREIGN_HOSTS.values(), ids=FOREIGN_HOSTS.keys())
async def test_a_well_formed_foreign_host_still_gets_421(gateway: RunningGateway, target: str, value: str) -> None:
    sent = value.replace("{p}", str(gateway.port)).encode()
    answer = await exchange(gateway.port, target, [(b"Host", sent)])
    answer.assert_refused(sent, 421)


@pytest.mark.parametrize("value", VALID_HOSTS)
async def test_a_well_formed_loopback_host_is_served(gateway: RunningGateway, value: str) -> None:
    sent = value.replace("{p}", str(gateway.port)).encode()
    for target in ("POST /mcp", "GET /health"):
        answer = await exchange(gateway.port, target, [(b"Host", sent)])
        assert answer.status == 200, (target, value, answer.body[:300])


@pytest.mark.parametrize("version", [b"HTTP/1.1", b"HTTP/1.0"])
async def test_two_host_headers_are_refused_even_when_equal(gateway: RunningGateway, version: bytes) -> None:
    host = (b"Host", b"127.0.0.1:%d" % gateway.port)
    for target in TARGETS:
        answer = await exchange(gateway.port, target, [host, host], version=version)
        answer.assert_refused(b"", 400)


async def test_health_answers_a_request_without_any_host(gateway: RunningGateway) -> None:
    for target in ("GET /health", "HEAD /health"):
        answer = await exchange(gateway.port, target, [], version=b"HTTP/1.0")
        assert answer.status == 200, answer.body[:300]
    assert json.loads((await exchange(gateway.port, "GET /health", [], version=b"HTTP/1.0")).body)["status"] == "ok"


async def test_every_other_request_without_a_host_is_refused(gateway: RunningGateway) -> None:
    for target in ("POST /mcp", "GET /mcp", "DELETE /mcp", "POST /health", "GET /health/", "GET /nowhere"):
        answer = await exchange(gateway.port, target, [], version=b"HTTP/1.0")
        answer.assert_refused(b"", 400)
        if answer.body.startswith(b"{"):
            assert json.loads(answer.body)["error"]["message"] == MISSING_HOST
    # HTTP/1.1 requires Host: h11 refuses the request itself, /health included.
    answer = await exchange(gateway.port, "GET /health", [])
    assert (answer.status, answer.body) == (400, H11_400)


MALFORMED_ORIGINS = {
    "userinfo": "http://127.0.0.1:{p}@evil.example",
    "trailing slash": "http://127.0.0.1:{p}/",
    "path": "http://127.0.0.1:{p}/mcp",
    "query": "http://localhost:{p}?x",
    "no scheme": "127.0.0.1:{p}",
    "no host": "http://:{p}",
    "bad port": "http://127.0.0.1:99999",
    "javascript": "javascript:alert(1)",
    "unclosed bracket": "http://[::1:{p}",
    "two origins in one": "http://127.0.0.1:{p} http://evil.example",
    "upper-case null": "NULL",
}


@pytest.mark.parametrize("value", MALFORMED_ORIGINS.values(), ids=MALFORMED_ORIGINS.keys())
async def test_a_malformed_origin_gets_a_400_that_does_not_echo_it(gateway: RunningGateway, value: str) -> None:
    sent = value.replace("{p}", str(gateway.port)).encode()
    host = (b"Host", b"127.0.0.1:%d" % gateway.port)
    for target in ("POST /mcp", "GET /health"):
        answer = await exchange(gateway.port, target, [host, (b"Origin", sent)])
        answer.assert_refused(sent, 400)


async def test_two_origin_headers_are_refused(gateway: RunningGateway) -> None:
    origin = (b"Origin", b"http://127.0.0.1:%d" % gateway.port)
    answer = await exchange(gateway.port, "POST /mcp", [(b"Host", b"127.0.0.1:%d" % gateway.port), origin, origin])
    answer.assert_refused(b"", 400)
    assert json.loads(answer.body)["error"]["message"] == DUPLICATE_ORIGIN


@pytest.mark.parametrize(
    ("origin", "status"),
    [("http://127.0.0.1:{p}", 200), ("http://localhost:6274", 200), ("https://evil.example", 403), ("null", 403)],
)
async def test_a_well_formed_origin_is_left_to_fastmcp(gateway: RunningGateway, origin: str, status: int) -> None:
    host = (b"Host", b"127.0.0.1:%d" % gateway.port)
    sent = origin.replace("{p}", str(gateway.port)).encode()
    answer = await exchange(gateway.port, "POST /mcp", [host, (b"Origin", sent)])
    assert answer.status == status, answer.body[:300]
