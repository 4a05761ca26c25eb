"""``mcp-splunk config CLIENT``: the configuration one MCP client needs to reach this gateway.

Each client has its own format, checked against its documentation (the README says which and when): a
``claude mcp add`` command for Claude Code, ``mcp-remote`` in ``claude_desktop_config.json`` for Claude Desktop,
``mcpServers`` for Cursor, ``servers`` for VS Code, ``[mcp_servers.NAME]`` for Codex. Secrets the user does not pass
are references the client resolves itself (an environment variable, or a VS Code input prompt), never a value.
The snippet goes to stdout, where to put it to stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from mcp_splunk.settings import GatewaySettings, InvalidSettings, load_settings

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class Header:
    """One header the client sends. A secret has a ``variable`` the client reads it from unless ``value`` is given."""

    name: str
    value: str | None = None
    variable: str | None = None
    prefix: str = ""  # before the secret ("Bearer ")
    what: str = ""  # what the secret is, for prompts and placeholders
    # The variable holding prefix and secret together, for clients that cannot add the prefix themselves.
    carrier: str | None = None

    @property
    def secret(self) -> bool:
        return self.variable is not None

    @property
    def input_id(self) -> str:
        return (self.variable or self.name).lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Setup:
    name: str
    url: str
    headers: tuple[Header, ...]


def claude_code(setup: Setup) -> tuple[str, str]:
    words = ["claude mcp add --transport http"]
    for header in setup.headers:
        if header.secret and header.value is None:
            # Double quotes: the shell puts the variable's value in when the command runs.
            words.append(f'--header "{header.name}: {header.prefix}${header.variable}"')
        else:
            words.append("--header " + shlex.quote(f"{header.name}: {header.prefix}{header.value}"))
    words.append(f"{shlex.quote(setup.name)} {shlex.quote(setup.url)}")
    return " \\\n  ".join(words), "Run it in a shell" + _where_set(setup, " where ", " is set") + "."


def claude_desktop(setup: Setup) -> tuple[str, str]:
    args = ["-y", "mcp-remote", setup.url]
    if urlsplit(setup.url).scheme == "http" and urlsplit(setup.url).hostname not in ("localhost", "127.0.0.1"):
        args.append("--allow-http")  # mcp-remote refuses plain http to any other host without it
    env: dict[str, str] = {}
    for header in setup.headers:
        # No spaces in args: some launchers split them. Secrets go through env, which mcp-remote expands.
        if header.secret:
            variable = header.carrier or header.variable or ""
            env[variable] = header.prefix + (header.value if header.value is not None else f"<{header.what}>")
            args += ["--header", f"{header.name}:${{{variable}}}"]
        else:
            args += ["--header", f"{header.name}:{header.value}"]
    server: dict[str, object] = {"command": "npx", "args": args}
    if env:
        server["env"] = env
    where = "Merge into claude_desktop_config.json (Settings > Developer > Edit Config) and restart Claude Desktop"
    return _json({"mcpServers": {setup.name: server}}), where + _placeholders(setup) + "; mcp-remote needs Node.js."


def cursor(setup: Setup) -> tuple[str, str]:
    headers = {h.name: h.prefix + (h.value if h.value is not None else f"${{env:{h.variable}}}") for h in setup.headers}
    server: dict[str, object] = {"url": setup.url}
    if headers:
        server["headers"] = headers
    where = "Merge into ~/.cursor/mcp.json (or .cursor/mcp.json in a project)"
    return _json({"mcpServers": {setup.name: server}}), where + _where_set(
        setup, "; start Cursor where ", " is set"
    ) + "."


def vscode(setup: Setup) -> tuple[str, str]:
    inputs = [
        {"type": "promptString", "id": h.input_id, "description": f"{h.what} ({h.name})", "password": True}
        for h in setup.headers
        if h.secret and h.value is None
    ]
    headers = {
        h.name: h.prefix + (h.value if h.value is not None else f"${{input:{h.input_id}}}") for h in setup.headers
    }
    server: dict[str, object] = {"type": "http", "url": setup.url}
    if headers:
        server["headers"] = headers
    document: dict[str, object] = {"servers": {setup.name: server}}
    if inputs:
        document = {"inputs": inputs, **document}
    prompt = "; VS Code asks for each input once and stores it securely" if inputs else ""
    return _json(document), f"Merge into .vscode/mcp.json (or MCP: Open User Configuration){prompt}."


def codex(setup: Setup) -> tuple[str, str]:
    lines = [f"[mcp_servers.{setup.name}]", f"url = {_toml(setup.url)}"]
    literal: dict[str, str] = {}
    from_env: dict[str, str] = {}
    for header in setup.headers:
        if header.value is not None:
            literal[header.name] = header.prefix + header.value
        elif header.name == "Authorization":
            lines.append(f"bearer_token_env_var = {_toml(header.variable or '')}")  # Codex adds "Bearer "
        else:
            from_env[header.name] = header.variable or ""
    for key, table in (("http_headers", literal), ("env_http_headers", from_env)):
        if table:
            lines.append(f"{key} = {{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in table.items()) + " }")
    where = "Append to ~/.codex/config.toml (or .codex/config.toml in a trusted project)"
    return "\n".join(lines), where + _where_set(setup, "; start Codex where ", " is set") + "."


CLIENTS: dict[str, Callable[[Setup], tuple[str, str]]] = {
    "claude-code": claude_code,
    "claude-desktop": claude_desktop,
    "cursor": cursor,
    "vscode": vscode,
    "codex": codex,
}


def _json(document: object) -> str:
    return json.dumps(document, indent=2)


def _toml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def _variables(setup: Setup) -> list[str]:
    return [h.variable or "" for h in setup.headers if h.secret and h.value is None]


def _where_set(setup: Setup, before: str, after: str) -> str:
    names = _variables(setup)
    if not names:
        return ""
    return f"{before}{' and '.join(names)}{after if len(names) == 1 else after.replace(' is ', ' are ')}"


def _placeholders(setup: Setup) -> str:
    return "; replace the <placeholders> in env" if _variables(setup) else ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("client", choices=sorted(CLIENTS), help="the MCP client to configure")
    parser.add_argument("--name", default="splunk", help="the server's name in the client (default splunk)")
    parser.add_argument("--url", help="the gateway's MCP endpoint (default: from MCP_SPLUNK_HOST/PORT/PATH)")
    parser.add_argument("--splunk-host", help="send X-Splunk-Host (default: none, so the gateway's SPLUNK_* Splunk)")
    parser.add_argument("--splunk-port", help="send X-Splunk-Port")
    parser.add_argument("--splunk-scheme", choices=["https", "http"], help="send X-Splunk-Scheme")
    parser.add_argument("--username", help="send X-Splunk-Username (and X-Splunk-Password)")
    reference = "without VALUE the client reads it from %s; with one, the value is printed into the snippet"
    parser.add_argument("--password", nargs="?", const="", metavar="VALUE", help=reference % "X_SPLUNK_PASSWORD")
    parser.add_argument("--token", nargs="?", const="", metavar="VALUE", help=reference % "X_SPLUNK_TOKEN")
    parser.add_argument(
        "--gateway-token",
        nargs="?",
        const="",
        metavar="VALUE",
        help="send Authorization: Bearer, for MCP_SPLUNK_AUTH=token or jwt (included by default then); "
        + reference % "MCP_GATEWAY_TOKEN",
    )


def run(args: argparse.Namespace) -> int:
    try:
        setup = _setup(args, load_settings().gateway)
    except InvalidSettings as exc:
        for line in exc.lines:
            print(f"mcp-splunk config: {line}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"mcp-splunk config: {exc}", file=sys.stderr)
        return 2
    snippet, where = CLIENTS[args.client](setup)
    print(snippet)
    print(where, file=sys.stderr)
    return 0


def _setup(args: argparse.Namespace, gateway: GatewaySettings) -> Setup:
    if not _NAME.fullmatch(args.name):
        raise ValueError("--name: letters, digits, '-' and '_', starting with a letter, for example --name splunk")
    url = args.url or _default_url(gateway.host, gateway.port, gateway.path)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _plain(url):
        raise ValueError("--url: the gateway's MCP endpoint, for example --url http://127.0.0.1:8003/mcp")
    headers: list[Header] = []
    for flag, name in (("splunk_host", "X-Splunk-Host"), ("splunk_port", "X-Splunk-Port")):
        value = getattr(args, flag)
        if value is not None:
            if not value or not _plain(value) or (flag == "splunk_port" and not _port(value)):
                example = "splunk.example.com" if flag == "splunk_host" else "8089"
                raise ValueError(f"--{flag.replace('_', '-')}: for example --{flag.replace('_', '-')} {example}")
            headers.append(Header(name, value))
    if args.splunk_scheme:
        headers.append(Header("X-Splunk-Scheme", args.splunk_scheme))
    if args.token is not None and args.username is not None:
        raise ValueError("give --token or --username (with --password), not both")
    if args.password is not None and args.username is None:
        raise ValueError("--password goes with --username, for example --username svc-mcp --password")
    if args.username is not None:
        if not args.username or not _plain(args.username):
            raise ValueError("--username: a Splunk user name, for example --username svc-mcp")
        headers.append(Header("X-Splunk-Username", args.username))
        headers.append(_secret("X-Splunk-Password", args.password or "", "X_SPLUNK_PASSWORD", "Splunk password"))
    if args.token is not None:
        headers.append(_secret("X-Splunk-Token", args.token, "X_SPLUNK_TOKEN", "Splunk token"))
    if args.gateway_token is not None or gateway.auth != "none":
        token = args.gateway_token or ""
        headers.append(
            _secret(
                "Authorization",
                token,
                "MCP_GATEWAY_TOKEN",
                "gateway token",
                prefix="Bearer ",
                carrier="MCP_GATEWAY_AUTHORIZATION",
            )
        )
    return Setup(args.name, url, tuple(headers))


def _secret(name: str, value: str, variable: str, what: str, *, prefix: str = "", carrier: str | None = None) -> Header:
    if value and not _plain(value):
        raise ValueError(f"the value given for {name} holds spaces or control characters")
    return Header(name, value or None, variable, prefix, what, carrier)


def _default_url(host: str, port: int, path: str) -> str:
    if port == 0:
        raise ValueError("MCP_SPLUNK_PORT=0 picks the port at start: pass --url with the port serve printed")
    # A wildcard bind is reached on loopback from this machine.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - the bind address, not one made here
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{path}"


def _plain(text: str) -> bool:
    """Safe in a header value and in every snippet format: printable, no spaces."""
    return text.isprintable() and " " not in text


def _port(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 65535
