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

from mcp_splunk import __version__, client_setup
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
    # The settings operators change most; the rest (and every secret: no password or token on a command line, where
    # other users see it) only as MCP_SPLUNK_* variables, listed in .env.example.
    serve.add_argument("--auth", metavar="none|token|jwt", help="who may use the gateway (default none)")
    serve.add_argument(
        "--public-url", metavar="URL", help="the gateway's origin as clients reach it (OAuth discovery, Host)"
    )
    serve.add_argument(
        "--allowed-hosts", metavar="PATTERNS", help="Host header values accepted besides loopback (comma-separated)"
    )
    serve.add_argument("--allowed-origins", metavar="ORIGINS", help="browser Origins accepted (comma-separated)")
    serve.add_argument(
        "--allowed-targets", metavar="PATTERNS", help="Splunk hosts and CIDRs clients may name (default any)"
    )
    serve.add_argument(
        "--allow-writes",
        action="store_true",
        default=None,
        help="register the write tools (saved searches, KV Store records)",
    )
    serve.add_argument(
        "--toolsets",
        metavar="NAMES",
        help="toolsets to offer, comma-separated: search, discovery, knowledge, kvstore, platform, writes "
        "(default every read toolset, plus writes with --allow-writes)",
    )
    serve.add_argument(
        "--rate-limit-per-minute", metavar="N", help="tool calls per minute per caller (default 120; off on loopback)"
    )
    serve.add_argument("--audit-log", metavar="stderr|stdout|FILE|off", help="where audit lines go (default stderr)")

    doctor = commands.add_parser(
        "doctor",
        help="check that the gateway can use its Splunk",
        description="Check, in order, name resolution, TCP, TLS, login, capabilities and the gateway's policy for "
        "the Splunk that serve would use (SPLUNK_*, overridden by these flags). Exits 1 if a check fails.",
    )
    # Checked with the SPLUNK_* settings they override, so a bad value is reported like a bad variable.
    doctor.add_argument("--host", help="splunkd host (SPLUNK_HOST)")
    doctor.add_argument("--port", help="splunkd management port (SPLUNK_PORT, default 8089)")
    doctor.add_argument("--scheme", metavar="https|http", help="SPLUNK_SCHEME (default https)")
    doctor.add_argument("--username", help="SPLUNK_USERNAME")
    doctor.add_argument("--password", help="SPLUNK_PASSWORD (prefer the variable: arguments show in ps)")
    doctor.add_argument("--token", help="a Splunk authentication token (SPLUNK_TOKEN; prefer the variable)")
    doctor.add_argument("--ca-bundle", metavar="FILE", help="CA certificates for splunkd's TLS (SPLUNK_CA_BUNDLE)")
    doctor.add_argument("--verify-ssl", metavar="true|false", help="verify splunkd's certificate (SPLUNK_VERIFY_SSL)")
    client_setup.add_arguments(
        commands.add_parser(
            "config",
            help="print the configuration an MCP client needs to reach this gateway",
            description="Print a configuration for CLIENT with the gateway's URL and X-Splunk-* headers.",
        )
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
    sandbox.add_argument(
        "--no-live-data",
        dest="live_data",
        action="store_false",
        help="keep the sample data frozen at start instead of appending new events as time passes",
    )
    sandbox.add_argument(
        "--hec-token",
        action="append",
        default=[],
        metavar="TOKEN[=INDEX]",
        help="accept this HTTP Event Collector token on /services/collector (default index main; repeatable)",
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
    if args.command == "doctor":
        from mcp_splunk import doctor  # noqa: PLC0415 - keeps `mcp-splunk sandbox` light

        return doctor.run({k: v for k, v in vars(args).items() if k in SplunkDefaults.model_fields and v is not None})
    if args.command == "config":
        return client_setup.run(args)
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
    hec_tokens: dict[str, str] = {}
    for item in args.hec_token:
        token, _, index = item.partition("=")
        if not token:
            print(f"mcp-splunk sandbox: --hec-token expects TOKEN or TOKEN=INDEX, got {item!r}", file=sys.stderr)
            return 2
        hec_tokens[token] = index or "main"
    try:
        options = SandboxOptions(
            seed=args.seed,
            job_latency=args.job_latency,
            version=args.splunk_version,
            tokens=tokens,
            live_data=args.live_data,
            hec_tokens=hec_tokens,
        )
        sandbox = Sandbox(options, host=args.host, port=args.port, scheme=args.scheme)
    except ValueError as exc:  # a bad option value (a token for an unknown user, a malformed version): usage error
        print(f"mcp-splunk sandbox: invalid option: {exc}", file=sys.stderr)
        return 2
    try:
        sandbox.start()
    except OSError as exc:
        print(
            f"mcp-splunk sandbox: cannot start: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}; "
            "choose another --port (0 picks a free one)",
            file=sys.stderr,
        )
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
    # In stdio mode stdout carries JSON-RPC and nothing else: our own lines go to stderr, and while serving the MCP
    # SDK points file descriptor 1 at stderr, so a library's stray print cannot reach the client either.
    stdio = gateway_settings.transport == "stdio"
    if stdio and gateway_settings.audit_log == "stdout":
        print(
            "mcp-splunk serve: MCP_SPLUNK_AUDIT_LOG (--audit-log) cannot be stdout with the stdio transport, whose "
            "stdout carries only JSON-RPC: use stderr (the default) or a file",
            file=sys.stderr,
        )
        return 2
    configure_logging(gateway_settings.log_level, log_format=gateway_settings.log_format)
    sandbox: Any = None
    if gateway_settings.sandbox:
        from mcp_splunk.sandbox import Sandbox, SandboxOptions  # noqa: PLC0415 - only needed with --sandbox

        # Live data, so that "the last 5 minutes" always has something, as a real Splunk would.
        sandbox = Sandbox(SandboxOptions(live_data=True), host="127.0.0.1", port=0).start()
        splunk = SplunkDefaults(
            host="127.0.0.1",
            port=sandbox.port,
            scheme="http",
            username=SANDBOX_ADMIN[0],
            password=SecretStr(SANDBOX_ADMIN[1]),
            token=None,
            session_key=None,
        )
        print(
            f"Sandbox Splunk listening on {sandbox.url} (admin/changeme, analyst/analyst-pass)",
            file=sys.stderr if stdio else sys.stdout,
            flush=True,
        )

    from mcp_splunk.app import create_gateway  # noqa: PLC0415 - keeps `mcp-splunk sandbox` light

    try:
        gateway = create_gateway(Settings(splunk, gateway_settings))
    except (ValueError, OSError) as exc:
        if sandbox is not None:
            sandbox.stop()
        print(f"mcp-splunk serve: invalid configuration: {exc}", file=sys.stderr)
        return 2
    try:
        if stdio:
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
