"""``mcp-splunk``: ``serve`` runs the gateway, ``sandbox`` runs the embedded sandbox Splunk alone."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from dotenv import find_dotenv, load_dotenv
from pydantic import SecretStr

from mcp_splunk import __version__
from mcp_splunk._serving import DrainingServer, listen_socket, socket_port, uvicorn_config
from mcp_splunk.logs import configure_logging
from mcp_splunk.settings import GatewaySettings, InvalidSettings, Settings, SplunkDefaults, load_settings

SANDBOX_ADMIN = ("admin", "changeme")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcp-splunk", description="A Splunk MCP gateway.")
    parser.add_argument("--version", action="version", version=f"mcp-splunk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the MCP gateway",
        description="Run the MCP gateway. Every flag also reads MCP_SPLUNK_<FLAG>.",
    )
    # Flag values are checked with the settings they override, so a bad one is reported like a bad variable.
    serve.add_argument("--transport", metavar="http|stdio", help="MCP transport (default http)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", help="port to bind (default 8003; 0 picks a free one)")
    serve.add_argument("--path", help="MCP endpoint path (default /mcp)")
    serve.add_argument(
        "--stateless",
        action="store_true",
        default=None,
        help="no MCP sessions: every request stands alone (for replicas behind a load balancer)",
    )
    serve.add_argument(
        "--sandbox",
        action="store_true",
        default=None,
        help="start the embedded sandbox Splunk and use it as the default Splunk",
    )
    serve.add_argument(
        "--log-level", metavar="DEBUG|INFO|WARNING|ERROR", type=str.upper, help="log level (default INFO)"
    )
    serve.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        default=None,
        help="allow MCP_SPLUNK_AUTH=none on a non-loopback address (another layer must authenticate)",
    )

    commands.add_parser(
        "new-state-key",
        help="print a new key for MCP_SPLUNK_STATE_ENCRYPTION_KEY",
        description="Print a new Fernet key for MCP_SPLUNK_STATE_ENCRYPTION_KEY; give every replica the same one.",
    )
    sandbox = commands.add_parser("sandbox", help="run the embedded sandbox Splunk alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8089, help="default 8089; 0 picks a free port")
    sandbox.add_argument("--scheme", choices=["http", "https"], default="http")
    sandbox.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="NAME=USER",
        help="accept 'Authorization: Bearer NAME' as USER (repeatable)",
    )
    sandbox.add_argument("--seed", type=int, default=42, help="sample data seed (default 42)")
    sandbox.add_argument(
        "--job-latency",
        type=float,
        default=0.0,
        help="make every search job take at least this many seconds (default 0)",
    )
    sandbox.add_argument(
        "--splunk-version",
        default="9.3.1",
        help="version server/info reports; below 9.0.2 clients use search/jobs (v1)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(find_dotenv(usecwd=True), override=False)
    if args.command == "new-state-key":
        from cryptography.fernet import Fernet  # noqa: PLC0415 - only this command needs it

        print(Fernet.generate_key().decode())
        return 0
    if args.command == "sandbox":
        return _run_sandbox(args)
    return _run_gateway(args)


def _run_sandbox(args: argparse.Namespace) -> int:
    from mcp_splunk.sandbox import Sandbox, SandboxOptions  # noqa: PLC0415 - the gateway alone never loads it

    configure_logging("WARNING")
    tokens: dict[str, str] = {}
    for item in args.token:
        name, sep, user = item.partition("=")
        if not sep or not name or not user:
            print(f"mcp-splunk sandbox: --token expects NAME=USER, got {item!r}", file=sys.stderr)
            return 2
        tokens[name] = user
    try:
        options = SandboxOptions(
            seed=args.seed, job_latency=args.job_latency, version=args.splunk_version, tokens=tokens
        )
        sandbox = Sandbox(options, host=args.host, port=args.port, scheme=args.scheme)
    except ValueError as exc:  # a bad option value (a token for an unknown user, a malformed version): usage error
        print(f"mcp-splunk sandbox: invalid option: {exc}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as exc:
        print(f"mcp-splunk sandbox: cannot start: {exc}", file=sys.stderr)
        return 1
    # Before the URL line: a supervisor may signal the process as soon as it reads that line.
    stop = _stop_on_signal()
    if sandbox.ca_file:
        print(f"CA certificate for clients: {sandbox.ca_file}", flush=True)
    print(
        f"Sandbox Splunk listening on {sandbox.url} (users admin/changeme and analyst/analyst-pass)",
        flush=True,
    )
    stop.wait()
    sandbox.stop()
    return 0


def _stop_on_signal() -> threading.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _run_gateway(args: argparse.Namespace) -> int:
    flags = {k: v for k, v in vars(args).items() if k in GatewaySettings.model_fields and v is not None}
    try:
        settings = load_settings(flags)
    except InvalidSettings as exc:
        for line in exc.lines:
            print(f"mcp-splunk serve: {line}", file=sys.stderr)
        return 2
    gateway_settings, splunk = settings.gateway, settings.splunk
    from mcp_splunk.auth import unauthenticated_exposure  # noqa: PLC0415 - keeps `mcp-splunk sandbox` light

    refusal = unauthenticated_exposure(gateway_settings)
    if refusal is not None:
        print(f"mcp-splunk serve: {refusal}", file=sys.stderr)
        return 2
    configure_logging(gateway_settings.log_level)
    sandbox: Any = None
    if gateway_settings.sandbox:
        from mcp_splunk.sandbox import Sandbox  # noqa: PLC0415 - only needed with --sandbox

        sandbox = Sandbox(host="127.0.0.1", port=0).start()
        splunk = SplunkDefaults(
            host="127.0.0.1",
            port=sandbox.port,
            scheme="http",
            username=SANDBOX_ADMIN[0],
            password=SecretStr(SANDBOX_ADMIN[1]),
            token=None,
            session_key=None,
        )
        print(f"Sandbox Splunk listening on {sandbox.url} (admin/changeme, analyst/analyst-pass)", flush=True)

    from mcp_splunk.app import create_gateway  # noqa: PLC0415 - keeps `mcp-splunk sandbox` light

    try:
        gateway = create_gateway(Settings(splunk, gateway_settings))
    except (ValueError, OSError) as exc:
        if sandbox is not None:
            sandbox.stop()
        print(f"mcp-splunk serve: invalid configuration: {exc}", file=sys.stderr)
        return 2
    try:
        if gateway_settings.transport == "stdio":
            gateway.mcp.run(transport="stdio", show_banner=False)
            return 0
        try:
            sock = listen_socket(gateway_settings.host, gateway_settings.port)
        except OSError as exc:
            print(
                f"mcp-splunk serve: cannot listen on {gateway_settings.host}:{gateway_settings.port}: {exc}",
                file=sys.stderr,
            )
            return 1
        host = f"[{gateway_settings.host}]" if ":" in gateway_settings.host else gateway_settings.host
        print(
            f"mcp-splunk gateway listening on http://{host}:{socket_port(sock)}{gateway_settings.path}",
            flush=True,
        )
        config = uvicorn_config(gateway.http_app(), log_level=gateway_settings.log_level.lower())
        DrainingServer(config, gateway.drain).run(sockets=[sock])
        return 0
    finally:
        gateway.close()
        if sandbox is not None:
            sandbox.stop()
