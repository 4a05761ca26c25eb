"""`mcp-splunk config CLIENT`: each client's snippet parses in that client's format and, once the client fills in its
references the way the client's documentation says it does, sends the gateway URL and exactly the X-Splunk-* headers
asked for. The README's per-client blocks are exactly what the commands it shows print."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from mcp_splunk.cli import main

ROOT = Path(__file__).resolve().parent.parent
URL = "https://mcp.example.com/mcp"
# What the user keeps in the client's environment (or types when VS Code asks), by the names the snippets document.
ENVIRONMENT = {
    "X_SPLUNK_TOKEN": "tok-from-env",
    "X_SPLUNK_PASSWORD": "pw-from-env",
    "MCP_GATEWAY_TOKEN": "gw-from-env",
    "MCP_GATEWAY_AUTHORIZATION": "Bearer gw-from-env",
}
TYPED = {"X-Splunk-Token": "tok-from-env", "X-Splunk-Password": "pw-from-env", "Authorization": "gw-from-env"}

Resolved = tuple[str, dict[str, str]]


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SPLUNK_* or MCP_SPLUNK_* from the test run, and no .env to find."""
    for name in [name for name in os.environ if name.startswith(("SPLUNK_", "MCP_SPLUNK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def config(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["config", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- each client's format, read the way that client reads it -------------------------------------------------------
def claude_code(out: str) -> Resolved:
    # The shell runs the command: let bash itself expand it, with `claude` replaced by a function printing its argv.
    expanded = subprocess.run(
        ["bash", "-c", "claude() { printf '%s\\0' \"$@\"; }\n" + out],
        env={"PATH": os.environ["PATH"], **ENVIRONMENT},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    words = expanded.stdout.split("\0")[:-1]
    assert words[:3] == ["mcp", "add", "--transport"]
    assert words[3] == "http"
    *options, _name, url = words[4:]
    assert options[::2] == ["--header"] * (len(options) // 2)
    return url, dict(header.split(": ", 1) for header in options[1::2])


def claude_desktop(out: str) -> Resolved:
    server = json.loads(out)["mcpServers"]["splunk"]
    assert server["command"] == "npx"
    args = server["args"]
    assert args[:2] == ["-y", "mcp-remote"]
    assert not any(" " in arg for arg in args), "launchers on Windows split arguments at spaces"
    # The user replaces each <placeholder>; mcp-remote then expands ${VAR} in header arguments from its environment.
    env = {name: ENVIRONMENT[name] if "<" in value else value for name, value in server.get("env", {}).items()}
    url, rest = args[2], [arg for arg in args[3:] if arg != "--allow-http"]
    headers = {}
    for flag, header in zip(rest[::2], rest[1::2], strict=True):
        assert flag == "--header"
        name, value = header.split(":", 1)
        headers[name] = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], value)
    return url, headers


def cursor(out: str) -> Resolved:
    server = json.loads(out)["mcpServers"]["splunk"]
    assert set(server) <= {"url", "headers"}
    expand = lambda value: re.sub(r"\$\{env:(\w+)\}", lambda m: ENVIRONMENT[m.group(1)], value)  # noqa: E731
    return server["url"], {name: expand(value) for name, value in server.get("headers", {}).items()}


def vscode(out: str) -> Resolved:
    document = json.loads(out)
    server = document["servers"]["splunk"]
    assert server["type"] == "http"
    inputs = {item["id"]: item for item in document.get("inputs", [])}
    headers = {}
    for name, value in server.get("headers", {}).items():
        typed = value
        for input_id in re.findall(r"\$\{input:([\w-]+)\}", value):
            assert inputs[input_id]["type"] == "promptString"
            assert inputs[input_id]["password"] is True
            typed = typed.replace(f"${{input:{input_id}}}", TYPED[name])
        headers[name] = typed
    referenced = {i for value in server.get("headers", {}).values() for i in re.findall(r"input:([\w-]+)", value)}
    assert referenced == set(inputs), "every input is used, and only declared inputs are"
    return server["url"], headers


def codex(out: str) -> Resolved:
    server = tomllib.loads(out)["mcp_servers"]["splunk"]
    assert set(server) <= {"url", "http_headers", "env_http_headers", "bearer_token_env_var"}
    headers = dict(server.get("http_headers", {}))
    headers.update({name: ENVIRONMENT[variable] for name, variable in server.get("env_http_headers", {}).items()})
    if "bearer_token_env_var" in server:
        headers["Authorization"] = "Bearer " + ENVIRONMENT[server["bearer_token_env_var"]]
    return server["url"], headers


CLIENTS: dict[str, Callable[[str], Resolved]] = {
    "claude-code": claude_code,
    "claude-desktop": claude_desktop,
    "cursor": cursor,
    "vscode": vscode,
    "codex": codex,
}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_secrets_not_given_are_references_the_client_fills_in(capsys: pytest.CaptureFixture[str], client: str) -> None:
    code, out, where = config(
        capsys, client, "--url", URL, "--splunk-host", "splunk.example.com", "--splunk-port", "8089", "--token",
        "--gateway-token",
    )  # fmt: skip
    assert code == 0
    assert CLIENTS[client](out) == (
        URL,
        {
            "X-Splunk-Host": "splunk.example.com",
            "X-Splunk-Port": "8089",
            "X-Splunk-Token": "tok-from-env",
            "Authorization": "Bearer gw-from-env",
        },
    )
    assert "from-env" not in out
    assert where.count("\n") == 1, "one line on stderr: where the snippet goes"


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_password_given_on_the_command_line_is_written_into_the_snippet(
    capsys: pytest.CaptureFixture[str], client: str
) -> None:
    code, out, _ = config(capsys, client, "--url", URL, "--username", "svc-mcp", "--password", "given-pass")
    assert code == 0
    assert CLIENTS[client](out) == (URL, {"X-Splunk-Username": "svc-mcp", "X-Splunk-Password": "given-pass"})


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_without_splunk_arguments_the_client_sends_no_headers_and_the_url_comes_from_the_settings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    monkeypatch.setenv("MCP_SPLUNK_PORT", "9100")
    monkeypatch.setenv("MCP_SPLUNK_PATH", "/gateway")
    code, out, _ = config(capsys, client)
    assert code == 0
    assert CLIENTS[client](out) == ("http://127.0.0.1:9100/gateway", {})


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_gateway_with_token_auth_gets_an_authorization_reference_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    monkeypatch.setenv("MCP_SPLUNK_AUTH", "token")
    code, out, _ = config(capsys, client, "--url", URL)
    assert code == 0
    assert CLIENTS[client](out) == (URL, {"Authorization": "Bearer gw-from-env"})


def test_mcp_remote_is_allowed_plain_http_only_where_it_refuses_it_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # mcp-remote accepts http:// only for localhost and 127.0.0.1 unless given --allow-http.
    for url, allowed in (("http://127.0.0.1:8003/mcp", False), ("http://10.1.2.3:8003/mcp", True), (URL, False)):
        _, out, _ = config(capsys, "claude-desktop", "--url", url)
        assert ("--allow-http" in json.loads(out)["mcpServers"]["splunk"]["args"]) is allowed, url


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--password"], "--password"),
        (["--url", "ftp://mcp.example.com/mcp"], "--url"),
        (["--splunk-port", "http"], "--splunk-port"),
        (["--splunk-host", "two words"], "--splunk-host"),
        (["--name", "my server"], "--name"),
        (["--token", "--username", "svc-mcp"], "--token"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_naming_the_argument(
    capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    code, out, err = config(capsys, "cursor", *args)
    assert code == 2
    assert out == ""
    assert re.fullmatch(rf"mcp-splunk config: [^\n]*{re.escape(named)}[^\n]*\n", err), err


def test_a_bad_setting_is_one_line_naming_its_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_SPLUNK_PORT", "99999")
    code, _, err = config(capsys, "cursor")
    assert code == 2
    assert re.fullmatch(r"mcp-splunk config: MCP_SPLUNK_PORT: [^\n]+; for example MCP_SPLUNK_PORT=\d+\n", err), err


# -- the README ------------------------------------------------------------------------------------------------------
def readme_examples() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Connecting a client") :]
    section = section[: section.index("\n## ", 3)]
    return re.findall(r"```bash\n(mcp-splunk config [^\n]+)\n```\n\n```\w+\n(.*?)\n```", section, flags=re.S)


def test_the_readme_shows_every_client() -> None:
    shown = [shlex.split(command)[2] for command, _ in readme_examples()]
    assert sorted(shown) == sorted(CLIENTS)


@pytest.mark.parametrize("example", readme_examples(), ids=lambda example: shlex.split(example[0])[2])
def test_each_readme_block_is_what_its_command_prints(
    capsys: pytest.CaptureFixture[str], example: tuple[str, str]
) -> None:
    command, shown = example
    code, out, _ = config(capsys, *shlex.split(command)[2:])
    assert code == 0
    assert out.strip() == shown.strip(), f"README is stale: run `{command}` and paste its output"
