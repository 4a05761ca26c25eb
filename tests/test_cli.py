"""Start-up errors of the CLI say what to fix in one line: the setting or flag by name, the address in use."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_splunk.cli import main


@pytest.fixture
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [name for name in os.environ if name.startswith(("SPLUNK_", "MCP_SPLUNK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("clean_settings")
@pytest.mark.parametrize(
    ("args", "variable", "value"),
    [
        (["serve", "--sandbox"], "MCP_SPLUNK_PORT", "99999"),
        (["serve", "--sandbox", "--transport", "stdio"], "MCP_SPLUNK_LOG_LEVEL", "CHATTY"),
        (["doctor"], "MCP_SPLUNK_PORT", "99999"),
        (["doctor"], "SPLUNK_VERIFY_SSL", "maybe"),
        (["config", "vscode"], "MCP_SPLUNK_PATH", "no-slash"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it_and_a_good_value(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(rf"mcp-splunk {args[0]}: {variable}: [^\n]+; for example {variable}=\S+\n", err), err
    assert "validation error" not in err
    assert value not in err


def test_a_sandbox_on_a_busy_port_names_the_address() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mcp_splunk", "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert re.fullmatch(
        rf"mcp-splunk sandbox: cannot start: cannot listen on 127\.0\.0\.1:{port}: [^\n]+; choose another --port "
        r"\(0 picks a free one\)\n",
        result.stderr,
    ), result.stderr
