"""One JSON audit line per tool call, and per-principal rate limiting, through a real gateway."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import anyio
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from pydantic import SecretStr

from mcp_splunk.middleware.audit import AuditSink
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.secret import Secret
from tests.support import ADMIN, running_gateway, sandbox_defaults

TOKENS = SecretStr("ops:rate-token-ops-0123456789,dev:rate-token-dev-0123456789")


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_each_tool_call_writes_one_audit_line_without_secrets_or_data(sandbox: Sandbox, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with running_gateway(sandbox_defaults(sandbox), audit_log=str(audit)) as gateway:
        async with gateway.client({**ADMIN, "X-Session-ID": "case-4711"}) as client:
            await client.call_tool("run_search", {"query": "index=web | stats count by host"})
            await client.call_tool("run_search", {"query": "index=web | delete"}, raise_on_error=False)
    first, second = lines(audit)
    assert first["tool"] == second["tool"] == "run_search"
    assert first["correlation_id"] == "case-4711"
    assert first["splunk_user"] == "admin"
    assert first["splunk_target"] == f"http://127.0.0.1:{sandbox.port}"
    assert first["outcome"] == "ok"
    assert first["rows"] == 3
    assert isinstance(first["duration_ms"], float)
    assert second["outcome"] == "error"
    assert second["error_code"] == "policy_violation"
    assert "spl" not in first  # SPL only when the operator asks for it
    text = audit.read_text()
    assert "changeme" not in text
    assert "web-01" not in text  # never result data


async def test_the_spl_is_audited_when_the_operator_asks(sandbox: Sandbox, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with running_gateway(sandbox_defaults(sandbox), audit_log=str(audit), audit_spl=True) as gateway:
        async with gateway.client() as client:
            await client.call_tool("validate_spl", {"query": "index=main | head 1"})
    assert lines(audit)[0]["spl"] == "index=main | head 1"


async def test_each_principal_is_limited_on_its_own(sandbox: Sandbox) -> None:
    settings = {"auth": "token", "auth_tokens": TOKENS, "rate_limit_per_minute": 6, "rate_limit_burst": 3}
    with running_gateway(sandbox_defaults(sandbox), **settings) as gateway:

        def client(token: str) -> Client:  # type: ignore[type-arg]
            return Client(StreamableHttpTransport(gateway.url, auth=token))

        async with client("rate-token-ops-0123456789") as ops:
            results = [await ops.call_tool("user_agent_info", {}, raise_on_error=False) for _ in range(4)]
        async with client("rate-token-dev-0123456789") as dev:
            other = await dev.call_tool("user_agent_info", {}, raise_on_error=False)
    assert [r.is_error for r in results] == [False, False, False, True]
    error = results[3].structured_content["error"]
    assert error["code"] == "rate_limited"
    assert "Retry in" in error["message"]
    assert other.is_error is False


async def test_rate_limiting_is_off_by_default_on_loopback(sandbox: Sandbox) -> None:
    with running_gateway(sandbox_defaults(sandbox)) as gateway:
        async with gateway.client() as client:
            results = [await client.call_tool("user_agent_info", {}) for _ in range(30)]
    assert not any(r.is_error for r in results)


@pytest.mark.skipif(sys.platform != "linux", reason="sets a pipe's capacity with F_SETPIPE_SZ")
async def test_an_audit_pipe_nobody_reads_never_stalls_tool_calls(sandbox: Sandbox, tmp_path: Path) -> None:
    import fcntl  # noqa: PLC0415 - POSIX only

    fifo = tmp_path / "audit.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so the gateway can open the write end
    received = bytearray()
    drain = threading.Thread(target=lambda: received.extend(_read_to_end(reader)))
    calls = 40  # about 10 KiB of audit lines into a 4 KiB pipe that nobody reads until the calls are done
    try:
        with running_gateway(sandbox_defaults(sandbox), audit_log=str(fifo)) as gateway:
            fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
            async with gateway.client() as client:
                with anyio.fail_after(30):
                    results = [await client.call_tool("user_agent_info", {}) for _ in range(calls)]
            assert not any(r.is_error for r in results)
            drain.start()  # closing the gateway writes what is still queued, then closes the pipe
        drain.join(timeout=30)
    finally:
        os.close(reader)
    audited = [json.loads(line) for line in received.decode().splitlines()]
    assert [line["tool"] for line in audited] == ["user_agent_info"] * calls


@pytest.mark.skipif(sys.platform != "linux", reason="a FIFO whose reader goes away")
async def test_an_audit_destination_that_breaks_is_reported_once_and_calls_go_on(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fifo = tmp_path / "audit.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    with running_gateway(sandbox_defaults(sandbox), audit_log=str(fifo)) as gateway:
        os.close(reader)  # from now on every write to the pipe fails with EPIPE
        async with gateway.client() as client:
            with anyio.fail_after(30):
                results = [await client.call_tool("user_agent_info", {}) for _ in range(5)]
    assert not any(r.is_error for r in results)
    reports = [r for r in caplog.records if "audit lines could not be written" in r.getMessage()]
    assert len(reports) == 1
    assert reports[0].levelname == "ERROR"
    assert reports[0].exc_info is None


@pytest.mark.skipif(sys.platform != "linux", reason="sets a pipe's capacity with F_SETPIPE_SZ")
def test_a_stuck_audit_destination_holds_a_bounded_backlog_and_reports_what_it_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import fcntl  # noqa: PLC0415 - POSIX only

    fifo = tmp_path / "audit.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
    sink = AuditSink(str(fifo), flush_seconds=0.01, batch=1, max_pending=10)
    small = 30
    received = bytearray()
    drain = threading.Thread(target=lambda: received.extend(_read_to_end(reader)))
    try:
        sink.write({"tool": "big", "padding": "x" * 65536})  # blocks the writer on the pipe nobody reads
        for n in range(small):  # at most 10 of these wait, and at most 10 more were taken with the big line
            sink.write({"tool": "small", "n": n})
        drain.start()
        sink.close()
        drain.join(timeout=30)
    finally:
        os.close(reader)
    written = [json.loads(line) for line in received.decode().splitlines()]
    kept = [line["n"] for line in written if line["tool"] == "small"]
    reports = [r.getMessage() for r in caplog.records if "audit lines were dropped" in r.getMessage()]
    assert len(reports) == 1
    dropped = int(reports[0].split()[0])
    assert dropped >= small - 20
    assert len(kept) + dropped == small
    assert kept == sorted(kept)


def test_an_audit_line_stays_json_when_a_secret_equals_one_of_its_literals(tmp_path: Path) -> None:
    secret = "86420531"  # a password made of digits, equal to a number in the line
    Secret(secret)
    path = tmp_path / "audit.jsonl"
    sink = AuditSink(str(path))
    sink.write({"tool": "run_search", "rows": 86420531, "error": f"login as admin:{secret} failed", "tags": [secret]})
    sink.close()
    (line,) = lines(path)
    assert line["rows"] == 86420531  # a count, not the secret: left as it is, and the line still parses
    assert line["error"] == "login as admin:[secure] failed"
    assert line["tags"] == ["[secure]"]


def _read_to_end(fd: int) -> bytes:
    os.set_blocking(fd, True)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)
