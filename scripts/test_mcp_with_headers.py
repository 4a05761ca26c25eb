#!/usr/bin/env python3
"""The MCP flow over plain HTTP with httpx, for both protocol eras, printing every exchange.

This is the working answer to "Bad Request: Missing session ID". A handshake-era client (MCP 2025-11-25 and
earlier) must:
  1. POST initialize with  Accept: application/json, text/event-stream
  2. read the Mcp-Session-Id response header (a stateful server issues one)
  3. send that Mcp-Session-Id and MCP-Protocol-Version on every later request
  4. DELETE the session when done (a stateless server answers 405: nothing to end)
A 2026-07-28 client has no handshake and no session: each POST carries MCP-Protocol-Version, Mcp-Method (and
Mcp-Name for tools/call) headers and the protocol version in params._meta.

    python scripts/test_mcp_with_headers.py --url http://127.0.0.1:8003/mcp --era both
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8003/mcp"
ACCEPT = "application/json, text/event-stream"
HANDSHAKE_VERSION = "2025-11-25"
MODERN_VERSION = "2026-07-28"
CLIENT_INFO = {"name": "test_mcp_with_headers", "version": "1.0"}
_ids = itertools.count(1)


class Failure(Exception):
    pass


def splunk_headers(args: argparse.Namespace) -> dict[str, str]:
    env = os.environ
    values = {
        "X-Splunk-Host": args.host or env.get("SPLUNK_HOST"),
        "X-Splunk-Port": args.port or env.get("SPLUNK_PORT"),
        "X-Splunk-Scheme": args.scheme or env.get("SPLUNK_SCHEME"),
        "X-Splunk-Token": args.token or env.get("SPLUNK_TOKEN"),
    }
    if not values["X-Splunk-Token"]:
        values["X-Splunk-Username"] = args.username or env.get("SPLUNK_USERNAME") or "admin"
        values["X-Splunk-Password"] = args.password or env.get("SPLUNK_PASSWORD") or "changeme"
    return {name: str(value) for name, value in values.items() if value}


def masked(headers: dict[str, str]) -> dict[str, str]:
    return {k: ("[secure]" if "password" in k.lower() or "token" in k.lower() else v) for k, v in headers.items()}


def messages_of(response: httpx.Response) -> list[dict[str, Any]]:
    """JSON-RPC messages from a JSON body or from the data: lines of an SSE stream."""
    if not response.content:
        return []
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        found = []
        for line in response.text.splitlines():
            if line.startswith("data:") and line[5:].strip():
                found.append(json.loads(line[5:]))
        return found
    document = response.json()
    return document if isinstance(document, list) else [document]


def exchange(
    client: httpx.Client, url: str, method: str, headers: dict[str, str], body: dict[str, Any] | None = None
) -> tuple[httpx.Response, dict[str, Any] | None]:
    response = client.request(method, url, headers=headers, json=body)
    label = body.get("method") if body else method
    print(f"\n>>> {method} {label}  headers={masked(headers)}")
    interesting = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "mcp-session-id")}
    print(f"<<< {response.status_code} {interesting}")
    reply = None
    for message in messages_of(response):
        if body is not None and message.get("id") == body.get("id"):
            reply = message
        else:
            print(f"    (notification) {json.dumps(message)[:200]}")
    if reply is not None:
        print(f"    {json.dumps(reply)[:400]}")
    return response, reply


def rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params or {}}


def check(response: httpx.Response, reply: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if response.status_code != 200 or reply is None:
        raise Failure(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    if "error" in reply:
        raise Failure(f"{what}: JSON-RPC error {reply['error']}")
    result: dict[str, Any] = reply["result"]
    if result.get("isError"):
        raise Failure(f"{what}: tool error {result.get('content')}")
    return result


def tool_calls(query: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("user_agent_info", {}),
        ("whoami", {}),
        ("list_indexes", {}),
        ("run_search", {"query": query, "row_limit": 5}),
    ]


def handshake_era(client: httpx.Client, url: str, splunk: dict[str, str], query: str) -> None:
    print(f"\n===== handshake era ({HANDSHAKE_VERSION}): initialize, then Mcp-Session-Id on every request")
    response, reply = exchange(
        client,
        url,
        "POST",
        {"Accept": ACCEPT, **splunk},
        rpc("initialize", {"protocolVersion": HANDSHAKE_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO}),
    )
    check(response, reply, "initialize")
    session_id = response.headers.get("mcp-session-id")
    headers = {"Accept": ACCEPT, "MCP-Protocol-Version": HANDSHAKE_VERSION, **splunk}
    if session_id:
        headers["Mcp-Session-Id"] = session_id
    note = client.post(url, headers=headers, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    print(f"\n>>> POST notifications/initialized\n<<< {note.status_code}")
    if note.status_code not in (200, 202):
        raise Failure(f"notifications/initialized: HTTP {note.status_code}")
    check(*exchange(client, url, "POST", headers, rpc("tools/list")), "tools/list")
    for name, arguments in tool_calls(query):
        check(
            *exchange(client, url, "POST", headers, rpc("tools/call", {"name": name, "arguments": arguments})),
            f"tools/call {name}",
        )
    if session_id:
        end = client.delete(url, headers={k: v for k, v in headers.items() if k != "Accept"})
        print(f"\n>>> DELETE (end session {session_id})\n<<< {end.status_code}")
        if end.status_code not in (200, 204, 405):
            raise Failure(f"DELETE: HTTP {end.status_code}")


def modern_era(client: httpx.Client, url: str, splunk: dict[str, str], query: str) -> None:
    print(f"\n===== {MODERN_VERSION}: no handshake, no session; version, method and name in headers and _meta")
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    base = {"Accept": ACCEPT, "MCP-Protocol-Version": MODERN_VERSION, **splunk}
    check(
        *exchange(
            client, url, "POST", {**base, "Mcp-Method": "server/discover"}, rpc("server/discover", {"_meta": meta})
        ),
        "server/discover",
    )
    check(
        *exchange(client, url, "POST", {**base, "Mcp-Method": "tools/list"}, rpc("tools/list", {"_meta": meta})),
        "tools/list",
    )
    for name, arguments in tool_calls(query):
        body = rpc("tools/call", {"name": name, "arguments": arguments, "_meta": meta})
        check(
            *exchange(client, url, "POST", {**base, "Mcp-Method": "tools/call", "Mcp-Name": name}, body),
            f"tools/call {name}",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=DEFAULT_URL, help=f"gateway MCP endpoint (default {DEFAULT_URL})")
    parser.add_argument("--era", choices=["handshake", "modern", "both"], default="both")
    parser.add_argument("--host")
    parser.add_argument("--port")
    parser.add_argument("--scheme", choices=["http", "https"])
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--token")
    parser.add_argument("--query", default="index=main | head 5")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    splunk = splunk_headers(args)
    try:
        with httpx.Client(timeout=args.timeout) as client:
            if args.era in ("handshake", "both"):
                handshake_era(client, args.url, splunk, args.query)
            if args.era in ("modern", "both"):
                modern_era(client, args.url, splunk, args.query)
    except (Failure, httpx.HTTPError, ValueError) as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    print("\nOK: every exchange succeeded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
