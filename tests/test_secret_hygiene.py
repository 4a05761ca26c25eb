"""No password, token or session key ever appears in logs (at DEBUG), audit lines, tool results, errors,
/health or reprs, whatever tool runs and whatever goes wrong."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mcp_splunk.logs import configure_logging
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.tools.registry import TOOLS
from tests.support import SAMPLE_CALLS, FaultyServer, RunningGateway, closed_port, running_gateway, sandbox_defaults

PASSWORD = "Hyg1ene-Pa55word-Zq9x"
TOKEN = "hyg-token-Kx7vQ2mP9wL4"
WRONG_PASSWORD = "Wr0ng-Pa55word-Qx3tB8"
ENV_PASSWORD = "Env-Def4ult-Pa55-Jv6n"
SECRETS = (PASSWORD, TOKEN, WRONG_PASSWORD, ENV_PASSWORD)


@pytest.fixture(scope="module")
def logs() -> Iterator[io.StringIO]:
    """Every log record at DEBUG, through the product's own logging setup (and its redaction)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    yield buffer
    root.handlers, root.level = saved


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit") / "audit.jsonl"


@pytest.fixture(scope="module")
def gateway(sandbox: Sandbox, logs: io.StringIO, audit_file: Path) -> Iterator[RunningGateway]:
    sandbox.add_user("hygiene-user", PASSWORD, roles=("admin",))
    sandbox.add_user("hygiene-env", ENV_PASSWORD, roles=("admin",))
    sandbox.add_token(TOKEN, "hygiene-user")
    with running_gateway(
        sandbox_defaults(sandbox, "hygiene-env", ENV_PASSWORD),
        allow_writes=True,
        audit_spl=True,
        audit_log=str(audit_file),
        connect_timeout=0.5,
    ) as running:
        yield running


def session_key(sandbox: Sandbox) -> str:
    response = httpx.post(f"{sandbox.url}/services/auth/login", data={"username": "hygiene-user", "password": PASSWORD})
    return response.text.split("<sessionKey>")[1].split("</sessionKey>")[0]


def dump(result: Any) -> str:
    parts = [json.dumps(result.structured_content or {})]
    parts += [getattr(block, "text", "") for block in result.content]
    return "\n".join(parts)


async def test_every_tool_is_covered() -> None:
    assert set(SAMPLE_CALLS) == {tool.name for tool in TOOLS}


async def test_no_secret_appears_anywhere_whatever_runs_or_fails(
    gateway: RunningGateway, sandbox: Sandbox, logs: io.StringIO, audit_file: Path
) -> None:
    key = session_key(sandbox)
    identities = {
        "password": {"X-Splunk-Username": "hygiene-user", "X-Splunk-Password": PASSWORD},
        "token": {"X-Splunk-Token": TOKEN},
        "session key": {"X-Splunk-Session-Key": key},
        "server default": {},
    }
    outputs: list[str] = []
    for headers in identities.values():
        async with gateway.client(headers) as client:
            run = await client.call_tool("run_search", SAMPLE_CALLS["run_search"])
            sid = run.structured_content["sid"]
            for name, arguments in SAMPLE_CALLS.items():
                filled = {k: (sid if v == "SID" else v) for k, v in arguments.items()}
                outputs.append(dump(await client.call_tool(name, filled, raise_on_error=False)))
    silent = FaultyServer("garbage")
    try:
        failures = [
            {"X-Splunk-Username": "hygiene-user", "X-Splunk-Password": WRONG_PASSWORD},
            {
                "X-Splunk-Host": "127.0.0.1",
                "X-Splunk-Port": str(closed_port()),
                "X-Splunk-Scheme": "http",
                "X-Splunk-Token": TOKEN,
            },
            {
                "X-Splunk-Host": "127.0.0.1",
                "X-Splunk-Port": str(silent.port),
                "X-Splunk-Scheme": "http",
                "X-Splunk-Username": "hygiene-user",
                "X-Splunk-Password": PASSWORD,
            },
            {"X-Splunk-Host": "169.254.169.254", "X-Splunk-Token": TOKEN},
            {"X-Splunk-Host": "splunk.example", "X-Splunk-Verify-SSL": "false", "X-Splunk-Session-Key": key},
            {"X-Splunk-Username": "hygiene-user"},
        ]
        for headers in failures:
            async with gateway.client(headers) as client:
                for name in ("whoami", "run_search"):
                    result = await client.call_tool(name, SAMPLE_CALLS[name], raise_on_error=False)
                    assert result.is_error
                    outputs.append(dump(result))
    finally:
        silent.close()
    refused = httpx.post(
        gateway.url,
        headers={"X-Splunk-Password": PASSWORD, "X-Splunk-Port": "bad"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert refused.status_code == 400
    outputs.append(refused.text)
    outputs.append(httpx.get(f"{gateway.base}/health").text)
    outputs.append(repr(gateway.gateway.pool.sessions()) + repr([s.config for s in gateway.gateway.pool.sessions()]))
    audit = audit_file.read_text()
    outputs += [logs.getvalue(), audit]
    assert "DEBUG" in logs.getvalue()  # the logs really were at DEBUG
    assert audit.count('"event":"tool_call"') >= 4 * len(SAMPLE_CALLS)
    everything = "\n".join(outputs)
    for secret in (*SECRETS, key):
        assert secret not in everything, f"a secret leaked: {secret[:4]}…"
