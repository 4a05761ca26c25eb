"""`mcp-splunk serve --transport stdio`: stdout carries JSON-RPC and nothing else, even with the sandbox's banner,
every log line at DEBUG and a tool call that reaches Splunk; everything meant for people goes to stderr."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import mcp_types
import pytest

from mcp_splunk.cli import main

WAIT = 60.0  # seconds for any one answer; the process answers in well under one


def minimal_env(**variables: str) -> dict[str, str]:
    """Only what the interpreter needs: no SPLUNK_* or MCP_SPLUNK_* from the test run."""
    kept = {name: os.environ[name] for name in ("PATH", "PYTHONPATH", "SYSTEMROOT") if name in os.environ}
    return {**kept, **variables}


class StdioServer:
    """The real CLI as a child process; every stdout line is kept raw, for the strict check."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mcp_splunk", "serve", "--transport", "stdio", *args],
            cwd=cwd,
            env=minimal_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        threading.Thread(target=self._pump, args=(self.process.stdout, self.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr, False), daemon=True).start()

    def _pump(self, stream: IO[str], into: list[str], announce: bool) -> None:
        for line in stream:
            into.append(line)
            if announce:
                self._lines.put(line)
        if announce:
            self._lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def answer(self, request_id: int) -> dict[str, Any]:
        """The response to ``request_id``, skipping notifications; bounded by WAIT per line."""
        while True:
            line = self._lines.get(timeout=WAIT)
            assert line is not None, "stdout closed before the answer; stderr:\n" + "".join(self.stderr)
            message = json.loads(line)
            if message.get("id") == request_id:
                return dict(message)

    def finish(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # end of input ends a stdio server
        self.process.wait(timeout=WAIT)
        while self._lines.get(timeout=WAIT) is not None:  # stdout drained to its end
            pass


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StdioServer, dict[str, Any], dict[str, Any]]]:
    """One stdio session with the sandbox at DEBUG: initialize, tools/list, a whoami call; then end of input."""
    server = StdioServer(tmp_path_factory.mktemp("stdio"), "--sandbox", "--log-level", "DEBUG")
    try:
        server.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"},
                },
            }
        )
        server.answer(1)
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        server.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = server.answer(2)
        server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}})
        called = server.answer(3)
        server.finish()
        yield server, tools, called
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=WAIT)


def test_every_stdout_line_is_a_json_rpc_message(session: tuple[StdioServer, dict[str, Any], dict[str, Any]]) -> None:
    server, _, _ = session
    assert len(server.stdout) >= 3
    for line in server.stdout:
        assert line.endswith("\n")
        mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)  # the SDK's own strict parser
        assert json.loads(line)["jsonrpc"] == "2.0"


def test_the_session_works_end_to_end(session: tuple[StdioServer, dict[str, Any], dict[str, Any]]) -> None:
    server, tools, called = session
    assert "whoami" in {tool["name"] for tool in tools["result"]["tools"]}
    assert called["result"]["structuredContent"]["username"] == "admin"
    assert server.process.returncode == 0


def test_the_banner_and_the_logs_go_to_stderr(session: tuple[StdioServer, dict[str, Any], dict[str, Any]]) -> None:
    server, _, _ = session
    errors = "".join(server.stderr)
    assert re.search(r"Sandbox Splunk listening on http://127\.0\.0\.1:\d+", errors)
    assert " DEBUG " in errors  # the log level really was DEBUG, and none of it reached stdout


def test_an_audit_log_on_stdout_is_refused_with_the_stdio_transport(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in [name for name in os.environ if name.startswith(("SPLUNK_", "MCP_SPLUNK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MCP_SPLUNK_AUDIT_LOG", "stdout")
    assert main(["serve", "--transport", "stdio"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(r"mcp-splunk serve: MCP_SPLUNK_AUDIT_LOG [^\n]+ stderr [^\n]+\n", err), err
