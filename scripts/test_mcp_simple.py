#!/usr/bin/env python3
"""Smoke-test an mcp-splunk gateway with the FastMCP client.

Connects to the gateway, sends X-Splunk-* headers built from the flags (or SPLUNK_* environment variables;
by default the sandbox's admin/changeme), lists the tools, calls user_agent_info, whoami, list_indexes and a
small run_search, and prints a summary. Exits non-zero if anything fails.

    python scripts/test_mcp_simple.py                      # gateway started with: mcp-splunk serve --sandbox
    python scripts/test_mcp_simple.py --url http://gw:8003/mcp --host splunk.corp --token "$SPLUNK_TOKEN"
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

DEFAULT_URL = "http://127.0.0.1:8003/mcp"


def splunk_headers(args: argparse.Namespace) -> dict[str, str]:
    """X-Splunk-* headers from the flags, else from SPLUNK_* variables, else the sandbox's admin user."""
    env = os.environ
    values = {
        "X-Splunk-Host": args.host or env.get("SPLUNK_HOST"),
        "X-Splunk-Port": args.port or env.get("SPLUNK_PORT"),
        "X-Splunk-Scheme": args.scheme or env.get("SPLUNK_SCHEME"),
        "X-Splunk-Token": args.token or env.get("SPLUNK_TOKEN"),
        "X-Splunk-Verify-SSL": args.verify_ssl or env.get("SPLUNK_VERIFY_SSL"),
    }
    if not values["X-Splunk-Token"]:
        values["X-Splunk-Username"] = args.username or env.get("SPLUNK_USERNAME") or "admin"
        values["X-Splunk-Password"] = args.password or env.get("SPLUNK_PASSWORD") or "changeme"
    return {name: str(value) for name, value in values.items() if value}


def show(title: str, data: Any) -> None:
    print(f"\n== {title}")
    if isinstance(data, dict):
        for key, value in data.items():
            print(f"   {key}: {value}")
    else:
        print(f"   {data}")


async def run(args: argparse.Namespace) -> None:
    headers = splunk_headers(args)
    shown = {k: ("[secure]" if k in ("X-Splunk-Password", "X-Splunk-Token") else v) for k, v in headers.items()}
    print(f"Gateway: {args.url} (client mode {args.mode})\nHeaders: {shown}")
    transport = StreamableHttpTransport(args.url, headers=headers)
    async with Client(transport, mode=args.mode, timeout=args.timeout) as client:
        tools = await client.list_tools()
        show("tools", ", ".join(sorted(t.name for t in tools)))
        info = await client.call_tool("user_agent_info", {})
        show("user_agent_info", info.structured_content)
        me = await client.call_tool("whoami", {})
        whoami = me.structured_content or {}
        show("whoami", {k: whoami.get(k) for k in ("username", "roles", "splunk_target", "splunk_version")})
        indexes = await client.call_tool("list_indexes", {})
        names = [i["name"] for i in (indexes.structured_content or {}).get("indexes", [])]
        show("list_indexes", ", ".join(names) or "(none visible)")
        search = await client.call_tool("run_search", {"query": args.query, "row_limit": 5})
        result = search.structured_content or {}
        show(
            "run_search",
            {
                "query": args.query,
                "sid": result.get("sid"),
                "total": result.get("total"),
                "first rows": result.get("results", [])[:3],
            },
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL, help=f"gateway MCP endpoint (default {DEFAULT_URL})")
    parser.add_argument(
        "--mode",
        choices=["auto", "legacy"],
        default="auto",
        help="auto: MCP 2026-07-28 (sessionless); legacy: initialize + Mcp-Session-Id",
    )
    parser.add_argument("--host", help="X-Splunk-Host (default: the gateway's own default Splunk)")
    parser.add_argument("--port", help="X-Splunk-Port")
    parser.add_argument("--scheme", choices=["http", "https"], help="X-Splunk-Scheme")
    parser.add_argument("--username", help="X-Splunk-Username (default SPLUNK_USERNAME or admin)")
    parser.add_argument("--password", help="X-Splunk-Password (default SPLUNK_PASSWORD or changeme)")
    parser.add_argument("--token", help="X-Splunk-Token, a Splunk authentication token (instead of a password)")
    parser.add_argument("--verify-ssl", choices=["true", "false"], help="X-Splunk-Verify-SSL")
    parser.add_argument("--query", default="index=main | head 5", help="the search to run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each call")
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(args))
    except ToolError as exc:
        print(f"\nFAILED: a tool returned an error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a smoke test reports any failure as a non-zero exit
        print(f"\nFAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("\nOK: all calls succeeded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
