"""The user-facing scripts pass against ``mcp-splunk serve --sandbox``, both run as real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_splunk._serving import ServerProcess, gateway_process

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))} | {
    "MCP_SPLUNK_DRAIN_SECONDS": "0"  # stopped at once; tests/http/test_drain.py covers the drain
}


@pytest.fixture(scope="module", params=[(), ("--stateless",)], ids=["stateful", "stateless"])
def served(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with gateway_process("--sandbox", *request.param, env=CLEAN_ENV) as process:
        yield process


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=CLEAN_ENV,
        check=False,
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_the_fastmcp_smoke_script_passes(served: ServerProcess, mode: str) -> None:
    result = run_script("test_mcp_simple.py", "--url", served.url, "--mode", mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "username: admin" in result.stdout
    assert "OK: all calls succeeded." in result.stdout
    assert "changeme" not in result.stdout  # the password is shown masked


def test_the_raw_http_script_passes_in_both_protocol_eras(served: ServerProcess) -> None:
    result = run_script("test_mcp_with_headers.py", "--url", served.url, "--era", "both")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "handshake era" in result.stdout
    assert "2026-07-28: no handshake" in result.stdout
    assert "OK: every exchange succeeded." in result.stdout


def test_the_smoke_script_fails_with_a_non_zero_exit_on_bad_credentials(served: ServerProcess) -> None:
    result = run_script("test_mcp_simple.py", "--url", served.url, "--password", "not-the-password")
    assert result.returncode == 1
    assert "login_failed" in result.stderr
