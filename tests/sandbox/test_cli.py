"""``mcp-splunk sandbox`` as a child process: ready when it prints its URL, tokens work, bad options exit 2."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mcp_splunk.sandbox import SandboxProcess

TOKEN = "cli-demo-token"
HEC_TOKEN = "cli-hec-token"


BAD_RUNS = {
    "no-separator": ["--token", "no-separator"],
    "no-name": ["--token", "=admin"],
    "unknown-user": ["--token", "t=ghost"],
    "beta-version": ["--splunk-version", "9.3.1-beta"],
    "hec-no-token": ["--hec-token", "=web"],
}


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mcp_splunk", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def bad_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every refused invocation, run side by side (each pays the interpreter's start-up)."""
    with ThreadPoolExecutor(max_workers=len(BAD_RUNS)) as pool:
        futures = {name: pool.submit(_run, ["--port", "0", *args]) for name, args in BAD_RUNS.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def process() -> Iterator[SandboxProcess]:
    extra = ["--token", f"{TOKEN}=analyst", "--seed", "3", "--hec-token", f"{HEC_TOKEN}=web"]
    with SandboxProcess(extra_args=extra) as running:
        yield running


def test_the_process_prints_its_url_once_it_listens(process: SandboxProcess) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", process.url)
    assert int(process.url.rsplit(":", 1)[1]) != 0


def test_a_bearer_token_given_on_the_command_line_authenticates(process: SandboxProcess) -> None:
    response = httpx.get(
        f"{process.url}/services/authentication/current-context",
        headers={"Authorization": f"Bearer {TOKEN}"},
        params={"output_mode": "json"},
    )
    assert response.status_code == 200
    assert response.json()["entry"][0]["content"]["username"] == "analyst"
    refused = httpx.get(f"{process.url}/services/data/indexes", headers={"Authorization": "Bearer other"})
    assert refused.status_code == 401


def test_the_process_serves_searches_over_its_sample_data(process: SandboxProcess) -> None:
    response = httpx.post(
        f"{process.url}/services/search/v2/jobs",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"search": "search index=web | head 3", "exec_mode": "oneshot", "output_mode": "json"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_an_https_process_prints_its_ca_and_is_verified_by_it() -> None:
    with SandboxProcess(scheme="https", extra_args=["--token", f"{TOKEN}=admin"]) as running:
        assert running.url.startswith("https://")
        printed = "".join(running.lines)
        ca_file = re.search(r"CA certificate for clients: (\S+)", printed)
        assert ca_file, printed
        response = httpx.get(
            f"{running.url}/services/server/info",
            headers={"Authorization": f"Bearer {TOKEN}"},
            verify=ssl.create_default_context(cafile=ca_file.group(1)),
        )
        assert response.status_code == 200
    assert running.process is not None
    assert running.process.returncode == 0  # SIGTERM right after readiness is a clean shutdown


@pytest.mark.parametrize("name", ["no-separator", "no-name"])
def test_a_malformed_token_exits_2_with_a_clear_message(
    bad_runs: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    result = bad_runs[name]
    assert result.returncode == 2
    assert f"--token expects NAME=USER, got {BAD_RUNS[name][1]!r}" in result.stderr


def test_a_token_for_an_unknown_user_exits_2(bad_runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = bad_runs["unknown-user"]
    assert result.returncode == 2
    assert "invalid option: unknown user 'ghost'" in result.stderr


def test_a_malformed_version_exits_2(bad_runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = bad_runs["beta-version"]
    assert result.returncode == 2
    assert "version must be dotted integers" in result.stderr


def test_a_hec_token_without_a_token_exits_2(bad_runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = bad_runs["hec-no-token"]
    assert result.returncode == 2
    assert "--hec-token expects TOKEN or TOKEN=INDEX, got '=web'" in result.stderr


def test_a_busy_port_exits_1() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = _run(["--port", str(busy.getsockname()[1])])
    assert result.returncode == 1
    assert "cannot start" in result.stderr


def test_a_hec_token_given_on_the_command_line_sends_to_its_index(process: SandboxProcess) -> None:
    marker = "cli-hec-marker"
    sent = httpx.post(
        f"{process.url}/services/collector/event",
        json={"event": marker},
        headers={"Authorization": f"Splunk {HEC_TOKEN}"},
    )
    assert sent.json() == {"text": "Success", "code": 0}
    found = httpx.post(
        f"{process.url}/services/search/jobs/export",
        data={"search": f"search index=web {marker} earliest=-1m | stats count", "output_mode": "json"},
        auth=("admin", "changeme"),
    )
    assert '"count":"1"' in found.text
