"""Settings at start: list settings take both documented forms, and a bad value is one line naming its variable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import pytest
from dotenv import dotenv_values
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from mcp_splunk._serving import ServerProcess, gateway_process
from mcp_splunk.app import create_gateway
from mcp_splunk.settings import GatewaySettings, InvalidSettings, load_settings
from tests.support import ADMIN

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
PREFIXES = ("SPLUNK_", "MCP_SPLUNK_")
ANY = None  # the setting takes any text: there is no bad value to refuse


class Case(NamedTuple):
    good: str
    bad: str | None
    # Other variables the value needs (tokens, for example, are only read with auth=token).
    context: Mapping[str, str] = MappingProxyType({})


# Every variable .env.example lists: one value start-up accepts, one it refuses (or ANY). {file} and {dir} stand for
# an existing file and directory, {missing} for a path that does not exist. Bad values are chosen so that none
# could appear in a message by coincidence, so "never echoed" can be checked for all of them.
CASES: dict[str, Case] = {
    "SPLUNK_HOST": Case("splunk2.example.com", ANY),
    "SPLUNK_PORT": Case("18089", "70000"),
    "SPLUNK_SCHEME": Case("http", "ftp"),
    "SPLUNK_TOKEN": Case("eyJ-a-splunk-token", ANY),
    "SPLUNK_SESSION_KEY": Case("a-session-key", ANY),
    "SPLUNK_USERNAME": Case("svc-mcp", ANY),
    "SPLUNK_PASSWORD": Case("s3cret-pass", ANY),
    "SPLUNK_VERIFY_SSL": Case("false", "maybe"),
    "SPLUNK_CA_BUNDLE": Case("{file}", "{missing}"),
    "SPLUNK_APP": Case("launcher", ANY),
    "SPLUNK_OWNER": Case("admin", ANY),
    "MCP_SPLUNK_AUTH": Case("token", "basic", {"MCP_SPLUNK_AUTH_TOKENS": "ci:settings-table-token"}),
    "MCP_SPLUNK_AUTH_TOKENS": Case("ci:settings-table-token", "ci:tooshort", {"MCP_SPLUNK_AUTH": "token"}),
    "MCP_SPLUNK_AUTH_TOKENS_FILE": Case("{file}", "{dir}"),
    "MCP_SPLUNK_JWT_PUBLIC_KEY": Case("-----BEGIN PUBLIC KEY-----", ANY),
    "MCP_SPLUNK_JWT_JWKS_URI": Case("https://idp.example/jwks.json", ANY),
    "MCP_SPLUNK_JWT_ISSUER": Case("https://idp.example", ANY),
    "MCP_SPLUNK_JWT_AUDIENCE": Case("mcp-splunk", ANY),
    "MCP_SPLUNK_JWT_REQUIRED_SCOPES": Case("mcp:read, mcp:search", '["mcp:read", 7]'),
    "MCP_SPLUNK_JWT_LEEWAY_SECONDS": Case("60", "301"),
    "MCP_SPLUNK_JWT_ALLOW_NO_EXP": Case("true", "sometimes"),
    "MCP_SPLUNK_PUBLIC_URL": Case("https://mcp.example.com", "mcp.example.com/gateway"),
    "MCP_SPLUNK_JWT_AUTHORIZATION_SERVERS": Case("https://idp.example,https://idp2.example", "ftp://sso.corp"),
    "MCP_SPLUNK_ALLOW_UNAUTHENTICATED": Case("true", "perhaps"),
    "MCP_SPLUNK_ALLOWED_HOSTS": Case("mcp.example.com,*.corp.example", '["mcp.example.com"'),
    "MCP_SPLUNK_ALLOWED_ORIGINS": Case('["https://app.example.com"]', "['https://app.example.com']"),
    "MCP_SPLUNK_TRANSPORT": Case("stdio", "sse"),
    "MCP_SPLUNK_HOST": Case("::1", ANY),  # the bind address: the OS judges it when listening
    "MCP_SPLUNK_PORT": Case("0", "99999"),
    "MCP_SPLUNK_PATH": Case("/gateway", "gateway"),
    "MCP_SPLUNK_STATELESS": Case("true", "stateful"),
    "MCP_SPLUNK_SANDBOX": Case("false", "on-demand"),
    "MCP_SPLUNK_LOG_LEVEL": Case("DEBUG", "CHATTY"),
    "MCP_SPLUNK_ALLOWED_TARGETS": Case("127.0.0.1,[::1]:8089,10.0.0.0/8:8089", '["10.0.0.0/8"'),
    "MCP_SPLUNK_ALLOW_HTTP_TARGETS": Case("true", "plaintext"),
    "MCP_SPLUNK_ALLOW_INSECURE_TLS": Case("false", "whatever"),
    "MCP_SPLUNK_CONNECT_TIMEOUT": Case("2.5", "-1.5"),
    "MCP_SPLUNK_READ_TIMEOUT": Case("30", "soon"),
    "MCP_SPLUNK_WORKER_THREADS": Case("8", "2048"),
    "MCP_SPLUNK_POOL_MAX_SIZE": Case("16", "-3"),
    "MCP_SPLUNK_POOL_IDLE_SECONDS": Case("60", "forever"),
    "MCP_SPLUNK_SESSION_IDLE_SECONDS": Case("600", "-60"),
    "MCP_SPLUNK_SESSION_CACHE_SIZE": Case("500", "lots"),
    "MCP_SPLUNK_ALLOW_WRITES": Case("true", "sure"),
    "MCP_SPLUNK_TOOLSETS": Case("search,kvstore", "searches"),
    "MCP_SPLUNK_ALLOW_ALERT_ACTIONS": Case("false", "nah"),
    "MCP_SPLUNK_TASKS": Case("true", "perhaps"),
    "MCP_SPLUNK_ALLOWED_SPL_COMMANDS": Case("outputlookup,Collect", '["outputlookup",'),
    "MCP_SPLUNK_ALLOWED_REST_ENDPOINTS": Case("configs/conf-*,/services/data/inputs/monitor", "conf?x=../../y"),
    "MCP_SPLUNK_MAX_MAP_SEARCHES": Case("3", "-7"),
    "MCP_SPLUNK_DEFAULT_ROW_LIMIT": Case("50", "-5"),
    "MCP_SPLUNK_MAX_ROW_LIMIT": Case("5000", "unlimited"),
    "MCP_SPLUNK_MAX_OUTPUT_CHARS": Case("50000", "999"),
    "MCP_SPLUNK_DEFAULT_EARLIEST": Case("-7d", ANY),  # a Splunk time modifier: Splunk judges it per search
    "MCP_SPLUNK_MAX_SEARCH_DAYS": Case("0", "-1"),
    "MCP_SPLUNK_ALLOW_ALL_TIME": Case("true", "always"),
    "MCP_SPLUNK_SEARCH_WAIT_SECONDS": Case("10", "-10"),
    "MCP_SPLUNK_MAX_WAIT_SECONDS": Case("120", "never"),
    "MCP_SPLUNK_JOB_TTL_SECONDS": Case("3600", "59"),
    "MCP_SPLUNK_MAX_EXPORT_ROWS": Case("1000", "-100"),
    "MCP_SPLUNK_MAX_LOOKUP_BYTES": Case("65536", "0"),
    "MCP_SPLUNK_RATE_LIMIT_PER_MINUTE": Case("0", "-1"),
    "MCP_SPLUNK_RATE_LIMIT_BURST": Case("5", "-2"),
    "MCP_SPLUNK_AUDIT_LOG": Case("{dir}/audit.log", "{missing}/audit.log"),
    "MCP_SPLUNK_AUDIT_SPL": Case("true", "verbose"),
    "MCP_SPLUNK_LOG_FORMAT": Case("json", "yaml"),
    "MCP_SPLUNK_METRICS": Case("false", "yes-please"),
    "MCP_SPLUNK_METRICS_TOKEN": Case("scrape-token-0123456789", "short-t0ken"),
    # "otlp" would set this worker's tracer provider for good (OpenTelemetry keeps the first one set)
    "MCP_SPLUNK_TRACES": Case("off", "zipkin"),
    "MCP_SPLUNK_STATE_URL": Case("redis://127.0.0.1:6379/0", "http://cache.example:6379"),
    "MCP_SPLUNK_STATE_KEY_PREFIX": Case("gw_team_a", "has spaces/and slashes"),
    "MCP_SPLUNK_STATE_ENCRYPTION_KEY": Case("YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=", "not-a-fernet-key"),
    "MCP_SPLUNK_STATE_FAILURE": Case("open", "sometimes"),
    "MCP_SPLUNK_TRUSTED_PROXIES": Case("10.0.0.0/8,127.0.0.1", "proxy.example"),
    "MCP_SPLUNK_DRAIN_SECONDS": Case("5", "-3"),
}

LISTED = list(dotenv_values(ENV_EXAMPLE))
REFUSABLE = [name for name in LISTED if name in CASES and CASES[name].bad is not ANY]
# Refused when the gateway is built, by a message of its own that names the variable but suggests no value.
REFUSED_WHEN_BUILT = {"MCP_SPLUNK_AUTH_TOKENS"}
# The value suggested for a path setting names a file on the operator's machine, not on this one.
EXAMPLE_NAMES_A_FILE = {"SPLUNK_CA_BUNDLE", "MCP_SPLUNK_AUTH_TOKENS_FILE"}


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "file").write_text("not read at start\n")
    return {"{file}": str(tmp_path / "file"), "{dir}": str(tmp_path), "{missing}": str(tmp_path / "missing")}


def fill(value: str, paths: dict[str, str]) -> str:
    for placeholder, path in paths.items():
        value = value.replace(placeholder, path)
    return value


def only(patch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """The environment holds ``env`` and no other SPLUNK_* or MCP_SPLUNK_* variable."""
    for name in [name for name in os.environ if name.startswith(PREFIXES)]:
        patch.delenv(name)
    for name, value in env.items():
        patch.setenv(name, value)


def start_up_refusal(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> str | None:
    """What `mcp-splunk serve` says about ``env`` before it listens (the settings, then building the gateway), or
    None if it accepts it; the CLI prints exactly this after "mcp-splunk serve: "."""
    with monkeypatch.context() as patch:
        only(patch, env)
        try:
            settings = load_settings()
        except InvalidSettings as exc:
            return str(exc)
        try:
            create_gateway(settings).close()
        except (ValueError, OSError) as exc:
            return f"invalid configuration: {exc}"
        return None


def test_the_table_covers_exactly_the_variables_env_example_lists() -> None:
    assert LISTED, ".env.example lists no variables"
    assert sorted(set(LISTED) - set(CASES)) == [], "add a good and a bad value (or ANY) for these to CASES"
    assert sorted(set(CASES) - set(LISTED)) == [], "CASES names variables .env.example no longer lists"


@pytest.mark.parametrize("name", LISTED)
def test_every_listed_variable_accepts_its_good_value(
    monkeypatch: pytest.MonkeyPatch, paths: dict[str, str], name: str
) -> None:
    case = CASES.get(name)
    assert case is not None, f"{name} is missing from CASES"
    assert start_up_refusal(monkeypatch, {**case.context, name: fill(case.good, paths)}) is None


@pytest.mark.parametrize("name", REFUSABLE)
def test_every_refusable_variable_refuses_a_bad_value_in_one_line_naming_it_and_an_accepted_value(
    monkeypatch: pytest.MonkeyPatch, paths: dict[str, str], name: str
) -> None:
    case = CASES[name]
    assert case.bad is not None
    bad = fill(case.bad, paths)
    message = start_up_refusal(monkeypatch, {**case.context, name: bad})
    assert message is not None, f"{name}={bad} was accepted"
    assert "\n" not in message
    assert bad not in message, "the refused value is echoed"
    if name in REFUSED_WHEN_BUILT:
        assert re.fullmatch(rf"invalid configuration: {name}\b.+", message), message
        return
    suggestion = re.fullmatch(rf"{name}: .+; for example {name}=(\S+)", message)
    assert suggestion, message
    if name not in EXAMPLE_NAMES_A_FILE:
        assert start_up_refusal(monkeypatch, {**case.context, name: suggestion.group(1)}) is None


LIST_SETTINGS = {
    "MCP_SPLUNK_ALLOWED_TARGETS": ("127.0.0.1", "[::1]:8089"),
    "MCP_SPLUNK_ALLOWED_HOSTS": ("mcp.example.com", "*.corp.example"),
    "MCP_SPLUNK_ALLOWED_ORIGINS": ("https://app.example.com", "http://localhost:*"),
    "MCP_SPLUNK_ALLOWED_SPL_COMMANDS": ("outputlookup", "collect"),
    "MCP_SPLUNK_ALLOWED_REST_ENDPOINTS": ("configs/conf-*", "data/inputs/monitor"),
    "MCP_SPLUNK_JWT_REQUIRED_SCOPES": ("mcp:read", "mcp:search"),
    "MCP_SPLUNK_TRUSTED_PROXIES": ("10.0.0.0/8", "::1"),
    "MCP_SPLUNK_TOOLSETS": ("search", "platform"),
    "MCP_SPLUNK_JWT_AUTHORIZATION_SERVERS": ("https://idp.example", "https://login.example.com/t"),
}


def test_the_list_settings_below_are_all_the_list_settings() -> None:
    fields = GatewaySettings.model_fields.items()
    assert {f"MCP_SPLUNK_{name.upper()}" for name, f in fields if f.annotation == frozenset[str]} == set(LIST_SETTINGS)


@pytest.mark.parametrize("form", ["{0},{1}", " {0} , {1} ,", '["{0}","{1}"]', '[ "{0}" , "{1}" ]'])
@pytest.mark.parametrize("name", sorted(LIST_SETTINGS))
def test_every_list_setting_accepts_a_comma_separated_value_and_a_json_list(
    monkeypatch: pytest.MonkeyPatch, name: str, form: str
) -> None:
    only(monkeypatch, {name: form.format(*LIST_SETTINGS[name])})
    field = name.removeprefix("MCP_SPLUNK_").lower()
    assert getattr(load_settings().gateway, field) == frozenset(LIST_SETTINGS[name])


# -- the real CLI ---------------------------------------------------------------------------------------------
def minimal_env(**variables: str) -> dict[str, str]:
    """Only what the interpreter needs, plus ``variables``: no SPLUNK_* or MCP_SPLUNK_* from the test run."""
    kept = {name: os.environ[name] for name in ("PATH", "PYTHONPATH", "SYSTEMROOT") if name in os.environ}
    return {**kept, **variables}


class BadRun(NamedTuple):
    env: dict[str, str]
    args: tuple[str, ...] = ()
    dotenv: str = ""  # written to .env in the run's working directory


BAD_RUNS = {
    "port": BadRun({"MCP_SPLUNK_PORT": "99999"}),
    "list": BadRun({"MCP_SPLUNK_ALLOWED_TARGETS": '["127.0.0.1"'}),
    "boolean": BadRun({"MCP_SPLUNK_STATELESS": "stateful"}),
    "splunk": BadRun({"SPLUNK_SCHEME": "gopher"}),
    "flag": BadRun({"MCP_SPLUNK_PORT": "ninety"}, ("--port", "eighty")),  # the flag wins: only it is reported
    "dotenv": BadRun({}, (), "MCP_SPLUNK_LOG_LEVEL=CHATTY\n"),
    "two": BadRun({"SPLUNK_VERIFY_SSL": "maybe", "MCP_SPLUNK_WORKER_THREADS": "2048"}),
    "secret": BadRun({"MCP_SPLUNK_AUTH": "token", "MCP_SPLUNK_AUTH_TOKENS": "ci:short-secret"}),
}


def run_serve(tmp: Path, run: BadRun) -> subprocess.CompletedProcess[str]:
    tmp.mkdir()
    if run.dotenv:
        (tmp / ".env").write_text(run.dotenv)
    return subprocess.run(
        [sys.executable, "-m", "mcp_splunk", "serve", *run.args],
        cwd=tmp,
        env=minimal_env(**run.env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every refused start, run side by side in fresh working directories (so no stray .env is read)."""
    base = tmp_path_factory.mktemp("serve")
    with ThreadPoolExecutor(max_workers=len(BAD_RUNS)) as pool:
        futures = {name: pool.submit(run_serve, base / name, run) for name, run in BAD_RUNS.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize(
    ("run", "names"),
    [
        ("port", ["MCP_SPLUNK_PORT"]),
        ("list", ["MCP_SPLUNK_ALLOWED_TARGETS"]),
        ("boolean", ["MCP_SPLUNK_STATELESS"]),
        ("splunk", ["SPLUNK_SCHEME"]),
        ("flag", ["--port"]),
        ("dotenv", ["MCP_SPLUNK_LOG_LEVEL"]),
        ("two", ["SPLUNK_VERIFY_SSL", "MCP_SPLUNK_WORKER_THREADS"]),
    ],
)
def test_a_bad_setting_stops_serve_with_exit_2_and_one_line_naming_it_and_a_good_value(
    bad_runs: dict[str, subprocess.CompletedProcess[str]], run: str, names: list[str]
) -> None:
    result = bad_runs[run]
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(names), result.stderr
    for line, name in zip(lines, names, strict=True):
        good = f"{name} " if name.startswith("--") else f"{name}="
        assert re.fullmatch(rf"mcp-splunk serve: {re.escape(name)}: .+; for example {re.escape(good)}\S+", line)
    assert "Traceback" not in result.stderr
    assert "validation error" not in result.stderr
    bad_values = [*BAD_RUNS[run].env.values(), *BAD_RUNS[run].args[1:], BAD_RUNS[run].dotenv.partition("=")[2].strip()]
    for value in filter(None, bad_values):
        assert value not in result.stderr + result.stdout


def test_a_malformed_secret_is_refused_without_being_echoed(
    bad_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = bad_runs["secret"]
    assert result.returncode == 2
    assert re.fullmatch(r"mcp-splunk serve: invalid configuration: MCP_SPLUNK_AUTH_TOKENS\b[^\n]*\n", result.stderr)
    assert "short-secret" not in result.stderr + result.stdout


# -- an allow-list in the documented form, end to end ----------------------------------------------------------
SANDBOX_URL = re.compile(r"Sandbox Splunk listening on http://127\.0\.0\.1:(\d+)")


@pytest.fixture(scope="module", params=["comma form in the environment", "JSON form in .env"])
def allow_listed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`mcp-splunk serve --sandbox` allowing only 127.0.0.1, started from a fresh working directory."""
    cwd = tmp_path_factory.mktemp("allow-listed")
    env = minimal_env()
    if request.param.endswith(".env"):
        (cwd / ".env").write_text('MCP_SPLUNK_ALLOWED_TARGETS=["127.0.0.1"]\n')
    else:
        env["MCP_SPLUNK_ALLOWED_TARGETS"] = "127.0.0.1"
    with pytest.MonkeyPatch.context() as patch:
        # ServerProcess adds this process's environment to env and starts the child in the current directory.
        only(patch, {})
        patch.chdir(cwd)
        process = gateway_process("--sandbox", env=env).start()
    try:
        yield process
    finally:
        process.stop()


def target_headers(process: ServerProcess, host: str) -> dict[str, str]:
    match = SANDBOX_URL.search("".join(process.lines))
    assert match, "".join(process.lines)
    return {"X-Splunk-Host": host, "X-Splunk-Port": match.group(1), "X-Splunk-Scheme": "http", **ADMIN}


async def test_a_target_outside_a_comma_or_json_allow_list_is_refused_and_the_listed_one_works(
    allow_listed: ServerProcess,
) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/mcp", allow_listed.url)
    other = Client(StreamableHttpTransport(allow_listed.url, headers=target_headers(allow_listed, "127.0.0.2")))
    async with other as client:
        refused = await client.call_tool("whoami", {}, raise_on_error=False)
    assert refused.is_error
    assert refused.structured_content["error"]["code"] == "target_refused"
    assert "MCP_SPLUNK_ALLOWED_TARGETS" in refused.structured_content["error"]["message"]
    listed = Client(StreamableHttpTransport(allow_listed.url, headers=target_headers(allow_listed, "127.0.0.1")))
    async with listed as client:
        allowed = await client.call_tool("whoami", {})
    assert allowed.structured_content["username"] == "admin"
