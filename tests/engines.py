"""Real engines the scale-out tests need: redis-server and haproxy, started on free loopback ports.

A machine without them skips those tests, except under ``CI=true``, where a missing engine fails them: CI installs
both (``.ci/run``), so a skip there would hide a broken set-up. ``scripts/bench_scaleout.py`` starts the same
engines, with binaries it located itself.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from mcp_splunk._serving import ServerProcess, gateway_process

REDIS_READY = re.compile(r"(?P<url>Ready to accept connections)")


def locate(binary: str) -> str | None:
    """The path of ``binary`` (Debian puts haproxy and nginx in /usr/sbin, often off a user's PATH), or None."""
    return shutil.which(binary) or next(
        (str(p) for d in ("/usr/sbin", "/usr/bin") if (p := Path(d) / binary).exists()), None
    )


def engine(binary: str) -> str:
    """The path of ``binary``, or skip (fail under CI) when this machine lacks it."""
    path = locate(binary)
    if path is None:
        message = f"{binary} is not installed (apt-get install redis-server haproxy)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must provide it")
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    """Until something accepts connections on ``port`` (the engine's own readiness), within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {timeout} s") from None
            time.sleep(0.02)  # polling a readiness condition, bounded by the deadline


class RedisServer:
    """A redis-server on a free port, without persistence; stop() and start() again keep its port."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or engine("redis-server")
        self.port = free_port()
        self.process: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = ServerProcess(args, REDIS_READY).start(timeout=20)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process = None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def deployed(name: str, port: int, ports: Sequence[int], server_line: str) -> str:
    """A shipped config from ``deploy/`` with its listening port and its servers replaced, nothing else."""
    text = (DEPLOY / name).read_text()
    text = re.sub(r"127\.0\.0\.1:8100\b", f"127.0.0.1:{port}", text)
    servers = "\n".join(server_line.format(i=i, port=p) for i, p in enumerate(ports, start=1))
    pattern = re.compile(r"(?:^ *server [^\n]*127\.0\.0\.1:810[1-9][^\n]*\n)+", re.MULTILINE)
    return pattern.sub(servers + "\n", text)


@contextmanager
def _balancer(args: list[str], port: int, log: Path) -> Iterator[str]:
    """A balancer process in the foreground, its output in ``log``; ready once its port accepts connections (it
    prints nothing when ready). Yields its MCP URL."""
    with log.open("w") as output:
        child = subprocess.Popen(args, stdout=output, stderr=output)
        try:
            wait_for_port(port)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            child.terminate()
            child.wait(10)


@contextmanager
def haproxy(
    ports: Sequence[int], directory: Path, *, backend: str = "replicas", binary: str | None = None
) -> Iterator[str]:
    """deploy/haproxy.cfg over gateways on ``ports`` (its ``backend`` made the default); yields the MCP URL. What
    its health checks decide (servers going DOWN and UP) lands in haproxy.log beside the config."""
    binary = binary or engine("haproxy")
    port = free_port()
    text = deployed("haproxy.cfg", port, ports, "    server gw{i} 127.0.0.1:{port} check")
    config = directory / "haproxy.cfg"
    config.write_text(text.replace("default_backend replicas", f"default_backend {backend}"))
    with _balancer([binary, "-db", "-f", str(config)], port, directory / "haproxy.log") as url:
        yield url


@contextmanager
def nginx(ports: Sequence[int], directory: Path) -> Iterator[str]:
    """deploy/nginx.conf over gateways on ``ports``; yields the MCP URL."""
    binary = engine("nginx")
    port = free_port()
    config = directory / "nginx.conf"
    config.write_text(deployed("nginx.conf", port, ports, "        server 127.0.0.1:{port};"))
    args = [binary, "-p", str(directory), "-c", str(config), "-g", "daemon off;"]
    with _balancer(args, port, directory / "nginx.log") as url:
        yield url


def replica(splunk_port: int, directory: Path, name: str, *, stateless: bool = True, **settings: str) -> ServerProcess:
    """``mcp-splunk serve`` on a free port, its default Splunk the sandbox (with no credentials, so a request without
    X-Splunk-* headers gets a clear error rather than anyone's identity), its audit in a file of its own."""
    env = {
        "SPLUNK_HOST": "127.0.0.1",
        "SPLUNK_PORT": str(splunk_port),
        "SPLUNK_SCHEME": "http",
        "MCP_SPLUNK_AUDIT_LOG": str(directory / f"{name}.audit"),
        "MCP_SPLUNK_LOG_LEVEL": "WARNING",
        "MCP_SPLUNK_DRAIN_SECONDS": "0",  # these tests stop replicas at once; tests/http/test_drain.py drains
        **{f"MCP_SPLUNK_{key.upper()}": value for key, value in settings.items()},
    }
    return gateway_process(*(["--stateless"] if stateless else []), env=env)
