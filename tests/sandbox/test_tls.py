"""An https sandbox: its throwaway CA verifies it, and nothing else does."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest
import splunklib.client as client

from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.sandbox.rest.support import final_rows


@pytest.fixture(scope="module")
def https() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(sample_data=False), scheme="https") as sandbox:
        yield sandbox


def _login(url: str, verify: ssl.SSLContext | bool) -> httpx.Response:
    return httpx.post(f"{url}/services/auth/login", data={"username": "admin", "password": "changeme"}, verify=verify)


def _trusting(sandbox: Sandbox) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(sandbox.ca_file))


def test_the_url_and_ca_file_describe_an_https_sandbox(https: Sandbox) -> None:
    assert https.url.startswith("https://127.0.0.1:")
    assert https.ca_file is not None
    assert https.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_an_http_sandbox_has_no_ca_file(sandbox: Sandbox) -> None:
    assert sandbox.ca_file is None


def test_httpx_verifies_the_sandbox_with_its_ca(https: Sandbox) -> None:
    response = _login(https.url, _trusting(https))
    assert response.status_code == 200
    assert "<sessionKey>" in response.text


def test_the_certificate_also_names_localhost(https: Sandbox) -> None:
    response = _login(f"https://localhost:{https.port}", _trusting(https))
    assert response.status_code == 200


def test_verification_fails_without_the_ca(https: Sandbox) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _login(https.url, True)


def test_splunklib_connects_and_searches_when_given_the_ca(https: Sandbox) -> None:
    service = client.connect(
        host=https.host,
        port=https.port,
        scheme="https",
        username="admin",
        password="changeme",
        verify=True,
        context=_trusting(https),
    )
    assert service.info["version"] == https.options.version
    rows = final_rows(service.jobs.oneshot("| makeresults count=3 | stats count", output_mode="json"))
    assert rows == [{"count": "3"}]


def test_splunklib_verification_fails_without_the_ca(https: Sandbox) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        client.connect(
            host=https.host,
            port=https.port,
            scheme="https",
            username="admin",
            password="changeme",
            verify=True,
            context=ssl.create_default_context(),
        )


def test_plain_http_to_the_https_port_gets_no_answer(https: Sandbox) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{https.port}/services/server/info", timeout=10)
