"""Bad input: splunkd's error envelope (XML and JSON) and status for each mistake, and a sandbox that survives it.

splunklib hides most error bodies, so these tests speak raw httpx; after every test the sandbox must still
answer a normal request.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import splunklib.binding as binding
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox
from tests.sandbox.rest.support import connect, json_messages, raw_client, wait_done, xml_messages

JOBS = "/services/search/v2/jobs"


@pytest.fixture(scope="module")
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with raw_client(sandbox) as client_:
        yield client_


@pytest.fixture(autouse=True)
def still_answering(sandbox: Sandbox) -> Iterator[None]:
    yield
    with raw_client(sandbox) as after:
        response = after.post(
            JOBS, data={"search": "| makeresults count=2", "exec_mode": "oneshot", "output_mode": "json"}
        )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def _both(http: httpx.Client, method: str, path: str, **params: str) -> tuple[httpx.Response, httpx.Response]:
    """The same request in XML and in JSON mode (params go in the body of a POST, as splunklib sends them)."""
    if method == "POST":
        return http.post(path, data=params), http.post(path, data={**params, "output_mode": "json"})
    return http.request(method, path, params=params), http.request(
        method, path, params={**params, "output_mode": "json"}
    )


def _assert_envelope(pair: tuple[httpx.Response, httpx.Response], status: int, kind: str, text: str) -> None:
    xml, as_json = pair
    assert (xml.status_code, as_json.status_code) == (status, status)
    assert xml.headers["content-type"].startswith("text/xml")
    assert as_json.headers["content-type"].startswith("application/json")
    assert xml_messages(xml.content) == [(kind, text)]
    assert json_messages(as_json.content) == [(kind, text)]


# -- bad SPL ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spl", "text"),
    [
        ("search index=web | frobnicate", "Unknown search command 'frobnicate'."),
        ("| x", "Unknown search command 'x'."),
        ("index=web | head 1", "Unknown search command 'index'."),  # the missing "search " prefix
        ("error OR warn", "Unknown search command 'error'."),
        ('search index=web "unclosed', "Unbalanced quotes."),
        (
            "search index=web [search index=main",
            "Error in 'SearchParser': Missing a closing bracket ']' for a subsearch.",
        ),
        (
            "search index=web | stats count(",
            "Error in 'stats' command: The argument to 'count' must be one field name.",
        ),
        ("search " + "(" * 3000 + "a" + ")" * 3000, "Error in 'SearchParser': The search is nested too deeply."),
    ],
    ids=["unknown", "generating", "no-prefix", "bare-terms", "quotes", "bracket", "stats", "nesting"],
)
def test_bad_spl_is_a_400_fatal_in_both_formats(http: httpx.Client, spl: str, text: str) -> None:
    _assert_envelope(_both(http, "POST", JOBS, search=spl), 400, "FATAL", text)
    _assert_envelope(_both(http, "POST", JOBS, search=spl, exec_mode="oneshot"), 400, "FATAL", text)


def test_splunklib_reports_the_fatal_message(sandbox: Sandbox) -> None:
    service = connect(sandbox)
    with pytest.raises(binding.HTTPError) as caught:
        service.jobs.create("index=web | head 1")
    assert caught.value.status == 400
    assert str(caught.value) == "HTTP 400 Bad Request -- Unknown search command 'index'."


def test_a_runaway_expression_fails_the_search_not_the_server(http: httpx.Client) -> None:
    spl = "| makeresults | eval x=" + "1+" * 3000 + "1"
    _assert_envelope(
        _both(http, "POST", JOBS, search=spl, exec_mode="oneshot"),
        400,
        "FATAL",
        "Error in 'SearchProcessor': An expression is too deeply nested to evaluate.",
    )


def test_a_bad_time_modifier_is_a_400_fatal(http: httpx.Client) -> None:
    _assert_envelope(
        _both(http, "POST", JOBS, search="search *", earliest_time="yesterday-ish"),
        400,
        "FATAL",
        "Invalid time modifier 'yesterday-ish'.",
    )


# -- bad arguments ---------------------------------------------------------------------------------------
def test_a_missing_search_argument_is_a_400(http: httpx.Client) -> None:
    _assert_envelope(_both(http, "POST", JOBS), 400, "ERROR", "Missing required argument: search")


def test_a_bad_exec_mode_is_a_400(http: httpx.Client) -> None:
    _assert_envelope(
        _both(http, "POST", JOBS, search="| makeresults", exec_mode="turbo"),
        400,
        "ERROR",
        "Argument 'exec_mode' must be one of normal, blocking, oneshot; got 'turbo'.",
    )


def test_a_bad_output_mode_for_results_is_a_400(sandbox: Sandbox, http: httpx.Client) -> None:
    job = wait_done(connect(sandbox).jobs.create("| makeresults"))
    for path in (f"{JOBS}/{job.sid}/results", f"{JOBS}/export"):
        response = http.post(path, data={"search": "| makeresults", "output_mode": "yaml"})
        assert response.status_code == 400, path
        assert xml_messages(response.content) == [("ERROR", "Invalid output_mode 'yaml': use json, xml or csv.")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "Argument 'count' must be an integer; got 'abc'."),
        ("1.5", "Argument 'count' must be an integer; got '1.5'."),
        (str(10**20), f"Argument 'count' must be between -2147483647 and 2147483647; got {10**20}."),
    ],
    ids=["word", "fraction", "huge"],
)
def test_a_bad_count_is_a_400(sandbox: Sandbox, http: httpx.Client, value: str, text: str) -> None:
    job = wait_done(connect(sandbox).jobs.create("| makeresults count=3"))
    _assert_envelope(_both(http, "GET", f"{JOBS}/{job.sid}/results", count=value), 400, "ERROR", text)
    _assert_envelope(_both(http, "GET", "/services/data/indexes", count=value), 400, "ERROR", text)


def test_a_negative_count_means_all_and_a_large_one_is_capped(sandbox: Sandbox, http: httpx.Client) -> None:
    job = wait_done(connect(sandbox).jobs.create("| makeresults count=150"))
    for count in ("-1", "-7", "0", "1000000"):
        response = http.get(f"{JOBS}/{job.sid}/results", params={"count": count, "output_mode": "json"})
        assert len(response.json()["results"]) == 150, count
    listed = http.get("/services/data/indexes", params={"count": "-5", "output_mode": "json"}).json()
    assert len(listed["entry"]) == listed["paging"]["total"]


def test_a_negative_offset_is_a_400(http: httpx.Client) -> None:
    _assert_envelope(
        _both(http, "GET", "/services/data/indexes", offset="-1"),
        400,
        "ERROR",
        "Argument 'offset' must be between 0 and 2147483647; got -1.",
    )


def test_an_unknown_control_action_is_a_400(sandbox: Sandbox, http: httpx.Client) -> None:
    job = wait_done(connect(sandbox).jobs.create("| makeresults"))
    xml, as_json = _both(http, "POST", f"{JOBS}/{job.sid}/control", action="explode")
    assert (xml.status_code, as_json.status_code) == (400, 400)
    assert xml_messages(xml.content)[0][1].startswith("Argument 'action' must be one of cancel,")


# -- unknown things --------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["", "/results", "/events", "/results_preview", "/control"])
def test_an_unknown_sid_is_a_404(http: httpx.Client, suffix: str) -> None:
    method = "POST" if suffix == "/control" else "GET"
    pair = _both(http, method, f"{JOBS}/1234567890.999{suffix}", **({"action": "cancel"} if suffix else {}))
    _assert_envelope(pair, 404, "FATAL", "Unknown sid.")


@pytest.mark.parametrize(
    ("path", "handler", "name"),
    [
        ("/services/saved/searches/Nope%20at%20all", "savedsearch", "Nope at all"),
        ("/services/apps/local/twitter2", "localapps", "twitter2"),
        ("/services/data/indexes/nope", "indexes", "nope"),
        ("/services/authentication/users/nope", "users", "nope"),
        ("/servicesNS/nobody/search/admin/macros/nope", "conf-macros", "nope"),
        ("/servicesNS/nobody/search/data/ui/views/nope", "views", "nope"),
        ("/services/configs/conf-props/nope", "conf-props", "nope"),
    ],
)
def test_an_unknown_entity_is_a_404_could_not_find_object(
    http: httpx.Client, path: str, handler: str, name: str
) -> None:
    _assert_envelope(_both(http, "GET", path), 404, "ERROR", f"In handler '{handler}': Could not find object id={name}")


@pytest.mark.parametrize("path", ["/services/no/such/endpoint", "/servicesNS/nobody/search/nope", "/favicon.ico", "/"])
def test_an_unknown_endpoint_is_a_404(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert xml_messages(response.content) == [("ERROR", "Not Found")]


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/services/server/info"), ("PUT", "/services/data/indexes"), ("DELETE", "/services/auth/login")],
)
def test_a_wrong_method_is_a_405(http: httpx.Client, method: str, path: str) -> None:
    xml, as_json = _both(http, method, path)
    assert (xml.status_code, as_json.status_code) == (405, 405)
    assert xml_messages(xml.content) == [("ERROR", f"Method {method} is not allowed for this endpoint.")]
    assert json_messages(as_json.content) == [("ERROR", f"Method {method} is not allowed for this endpoint.")]


# -- KV Store --------------------------------------------------------------------------------------------
def test_bad_json_to_the_kv_store_is_a_400(http: httpx.Client) -> None:
    path = "/servicesNS/nobody/search/storage/collections/data/assets"
    headers = {"Content-Type": "application/json"}
    for body in (b"{not json", b"\xff\xfe", b"[" * 100_000, b'"a string"'):
        response = http.post(path, content=body, headers=headers)
        assert response.status_code == 400, body[:10]
        assert xml_messages(response.content)[0][0] == "ERROR"
    as_json = http.post(path, content=b"{not json", headers=headers, params={"output_mode": "json"})
    assert json_messages(as_json.content) == [("ERROR", "Request body is not valid JSON.")]
    nested = http.get(path, params={"query": '{"$and": [' * 900 + "{}" + "]}" * 900})
    assert nested.status_code == 400


# -- malformed requests ----------------------------------------------------------------------------------
def test_garbage_credentials_are_a_401(sandbox: Sandbox) -> None:
    for header in ("Splunk", "Bearer", "Basic !!!", "Negotiate abc", "Splunk " + "x" * 10_000):
        response = httpx.get(f"{sandbox.url}/services/data/indexes", headers={"Authorization": header})
        assert response.status_code == 401, header[:20]


def test_odd_encodings_in_paths_and_bodies_are_handled(http: httpx.Client) -> None:
    assert http.get("/services/saved/searches/%ZZ").status_code == 404
    assert http.get("/services/saved/searches/a%00b").status_code == 404
    assert http.get("/services/" + "a/" * 2000).status_code == 404
    response = http.post(JOBS, content=b"search=%ff%fe&exec_mode=oneshot")
    assert response.status_code == 400
    assert xml_messages(response.content)[0][0] == "FATAL"


def test_a_client_sending_garbage_bytes_does_not_hurt_the_server(sandbox: Sandbox) -> None:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01\x00\xffNOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as sock:
        sock.sendall(b"GET /services/server/info HTTP/1.1\r\nHost: x\r\n")  # and hangs up mid-request


def test_a_splunklib_json_error_body_carries_the_messages(sandbox: Sandbox) -> None:
    service: client.Service = connect(sandbox)
    with pytest.raises(binding.HTTPError) as caught:
        service.jobs.oneshot("search index=web | nope", output_mode="json")
    assert json.loads(caught.value.body) == {"messages": [{"type": "FATAL", "text": "Unknown search command 'nope'."}]}
