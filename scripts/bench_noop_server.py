#!/usr/bin/env python3
"""The MCP floor for the benchmark: a FastMCP server whose only tool, ``noop``, does nothing.

``scripts/bench.py`` runs it as a separate process and calls ``noop`` with the same FastMCP client, transport
and concurrency as the gateway's tools, so the difference between the two is what the gateway itself adds
(middleware, the Splunk call, result shaping) and not what MCP over Streamable HTTP costs anyway.

It is served like the gateway: uvicorn on a socket bound by ``mcp_splunk._serving.listen_socket`` (so
``TCP_NODELAY`` is set), with the same uvicorn configuration and the same ``http_app`` options (SSE responses,
stateful sessions allowed, host/origin protection). It prints ``noop server listening on <url>`` once bound.

    python scripts/bench_noop_server.py --port 0
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from fastmcp import FastMCP

from mcp_splunk._serving import listen_socket, socket_port, uvicorn_config


def build_app(path: str) -> Any:
    mcp = FastMCP("bench-noop")

    @mcp.tool(name="noop", description="Does nothing and returns at once.")
    def noop() -> dict[str, bool]:
        return {"ok": True}

    return mcp.http_app(
        path=path,
        json_response=False,  # the gateway answers with SSE too (progress notifications need it)
        stateless_http=False,
        session_idle_timeout=1800.0,
        host_origin_protection=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--path", default="/mcp")
    args = parser.parse_args()
    sock = listen_socket(args.host, args.port)
    print(f"noop server listening on http://{args.host}:{socket_port(sock)}{args.path}", flush=True)
    uvicorn.Server(uvicorn_config(build_app(args.path))).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
