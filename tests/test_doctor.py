"""`mcp-splunk doctor` against real sandboxes: one line per check in order, what failed and what to fix, the checks
that depend on a failed one skipped with the reason, and an exit code that says whether all passed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcp_splunk.cli import main
from mcp_splunk.sandbox import Sandbox, SandboxOptions
from tests.support import closed_port, no_defaults, running_gateway

CHECKS = ["settings", "name resolution", "tcp", "tls", "login", "capabilities", "policy"]
LINE = re.compile(r"(✔|✘|-) ([a-z ]+): (.+)")


@pytest.fixture(scope="module")
def https() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(sample_data=False), scheme="https") as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the flags each test passes: no SPLUNK_* or MCP_SPLUNK_* from the test run, and no .env to find."""
    for name in [name for name in os.environ if name.startswith(("SPLUNK_", "MCP_SPLUNK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, tuple[str, str]], str]:
    """Exit code, {check: (mark, detail)} in printed order, and everything printed."""
    code = main(["doctor", *args])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), out
    checks = {m.group(2): (m.group(1), m.group(3)) for m in parsed if m}
    assert list(checks) == CHECKS, out
    return code, checks, out + err


def http_target(
    sandbox: Sandbox,
    *,
    port: int | None = None,
    scheme: str = "http",
    user: tuple[str, str] = ("admin", "changeme"),
) -> list[str]:
    """Flags for the (plain http) sandbox, on ``port`` instead when given."""
    port = sandbox.port if port is None else port
    return [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--scheme",
        scheme,
        "--username",
        user[0],
        "--password",
        user[1],
    ]


def test_every_check_passes_over_http(capsys: pytest.CaptureFixture[str], sandbox: Sandbox) -> None:
    code, checks, _ = doctor(capsys, *http_target(sandbox))
    assert code == 0
    assert {mark for mark, _ in checks.values()} == {"✔"}
    assert checks["login"][1] == "logged in as admin (roles: admin)"
    assert checks["capabilities"][1].startswith("has search")
    assert "lacks" not in checks["capabilities"][1]


def test_every_check_passes_over_https_with_the_sandboxs_ca(capsys: pytest.CaptureFixture[str], https: Sandbox) -> None:
    target = ["--host", "localhost", "--port", str(https.port), "--username", "admin", "--password", "changeme"]
    code, checks, _ = doctor(capsys, *target, "--ca-bundle", str(https.ca_file))
    assert code == 0
    assert {mark for mark, _ in checks.values()} == {"✔"}
    assert "valid for localhost" in checks["tls"][1]


def test_without_the_ca_tls_fails_and_names_the_ca_setting(capsys: pytest.CaptureFixture[str], https: Sandbox) -> None:
    target = ["--host", "localhost", "--port", str(https.port), "--username", "admin", "--password", "changeme"]
    code, checks, _ = doctor(capsys, *target)
    assert code == 1
    assert checks["tls"][0] == "✘"
    assert "SPLUNK_CA_BUNDLE" in checks["tls"][1]
    assert checks["login"] == ("-", "skipped: tls failed")


def test_a_wrong_password_fails_the_login_without_showing_it(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    code, checks, printed = doctor(capsys, *http_target(sandbox, user=("admin", "not-the-password")))
    assert code == 1
    assert [checks[name][0] for name in CHECKS] == ["✔", "✔", "✔", "✔", "✘", "-", "✔"]
    assert "rejected the username or password for 'admin'" in checks["login"][1]
    assert "SPLUNK_PASSWORD" in checks["login"][1]
    assert checks["capabilities"] == ("-", "skipped: login failed")
    assert "not-the-password" not in printed


def test_a_closed_port_fails_tcp_and_skips_what_needs_a_connection(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    port = closed_port()
    code, checks, _ = doctor(capsys, *http_target(sandbox, port=port))
    assert code == 1
    assert checks["tcp"] == (
        "✘",
        f"nothing listens on 127.0.0.1:{port} (connection refused): check SPLUNK_PORT (or --port; splunkd's "
        "management port is 8089 unless changed) and that splunkd is running",
    )
    assert [checks[name] for name in ("tls", "login", "capabilities")] == [("-", "skipped: tcp failed")] * 3
    assert checks["policy"][0] == "✔"  # the gateway's own settings need no Splunk


def test_https_to_a_plain_http_port_says_the_port_speaks_http(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    code, checks, _ = doctor(capsys, *http_target(sandbox, scheme="https"))
    assert code == 1
    mark, detail = checks["tls"]
    assert mark == "✘"
    assert "this port speaks plain HTTP" in detail
    assert "SPLUNK_SCHEME=http" in detail
    assert "certificate" not in detail


async def test_a_tool_call_gets_the_same_plain_http_diagnosis_as_the_doctor(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    headers = {
        "X-Splunk-Host": "127.0.0.1",
        "X-Splunk-Port": str(sandbox.port),
        "X-Splunk-Scheme": "https",
        "X-Splunk-Username": "admin",
        "X-Splunk-Password": "changeme",
    }
    with running_gateway(no_defaults()) as gateway:
        async with gateway.client(headers) as client:
            result = await client.call_tool("whoami", {}, raise_on_error=False)
    _, checks, _ = doctor(capsys, *http_target(sandbox, scheme="https"))
    assert result.is_error
    assert result.structured_content["error"]["message"] == checks["tls"][1]


def test_a_user_without_optional_capabilities_passes_with_what_they_limit(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    code, checks, _ = doctor(capsys, *http_target(sandbox, user=("analyst", "analyst-pass")))
    assert code == 0
    assert checks["login"][1] == "logged in as analyst (roles: user)"
    assert re.fullmatch(r"has search, rest_properties_get; lacks list_settings \(.+\): those see less or are refused",
                        checks["capabilities"][1])  # fmt: skip


def test_no_configured_splunk_fails_the_first_check_and_skips_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks, _ = doctor(capsys)
    assert code == 1
    assert checks["settings"][0] == "✘"
    assert "SPLUNK_HOST" in checks["settings"][1]
    assert all(checks[name] == ("-", "skipped: settings failed") for name in CHECKS[1:])


def test_the_policy_fails_when_serve_would_refuse_to_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    monkeypatch.setenv("MCP_SPLUNK_HOST", "0.0.0.0")  # a bind address serve refuses without gateway auth
    code, checks, _ = doctor(capsys, *http_target(sandbox))
    assert code == 1
    assert checks["policy"][0] == "✘"
    assert "MCP_SPLUNK_AUTH" in checks["policy"][1]


def test_the_policy_says_whether_the_allow_list_lets_clients_name_this_splunk(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    for allowed, verdict in (("10.0.0.0/8", "refuses"), (f"127.0.0.1:{sandbox.port}", "allows")):
        monkeypatch.setenv("MCP_SPLUNK_ALLOWED_TARGETS", allowed)
        _, checks, _ = doctor(capsys, *http_target(sandbox))
        assert checks["policy"][0] == "✔"
        assert (
            f"clients may name only {allowed} (MCP_SPLUNK_ALLOWED_TARGETS), which {verdict} this Splunk"
            in (checks["policy"][1])
        )


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("SPLUNK_PORT", "70000", "SPLUNK_PORT"),
        ("MCP_SPLUNK_PORT", "99999", "MCP_SPLUNK_PORT"),
        (None, None, "--port"),
    ],
)
def test_a_bad_setting_or_flag_exits_2_with_one_line_naming_it(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str | None,
    value: str | None,
    named: str,
) -> None:
    if variable and value:
        monkeypatch.setenv(variable, value)
    code = main(["doctor", "--host", "127.0.0.1", *(["--port", "99999"] if variable is None else [])])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert re.fullmatch(rf"mcp-splunk doctor: {re.escape(named)}: [^\n]+; for example {re.escape(named)}[= ]\S+\n", err)
