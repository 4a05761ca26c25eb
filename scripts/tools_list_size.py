#!/usr/bin/env python3
"""How much of an agent's context ``tools/list`` takes: bytes and approximate tokens, per toolset and for the
default toolsets.

Every MCP client puts the whole ``tools/list`` answer (names, descriptions, input and output schemas) in the
model's context, so its size is a cost paid on every conversation. This builds the gateway (no Splunk is
contacted), lists its tools with the FastMCP client in-process, and measures the JSON-RPC response as the gateway
serializes it. Tokens are approximated as bytes / 4. docs/PERFORMANCE.md records the figures.

    python scripts/tools_list_size.py
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastmcp import Client

from mcp_splunk.app import create_gateway
from mcp_splunk.settings import GatewaySettings, Settings, SplunkDefaults
from mcp_splunk.tools.registry import TOOLSET_OF, TOOLSETS


def wire_size(tools: list[dict[str, Any]]) -> int:
    """Bytes of the JSON-RPC response carrying ``tools`` (the SDK's compact JSON)."""
    message = {"jsonrpc": "2.0", "id": 1, "result": {"tools": tools}}
    return len(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode())


async def listed() -> list[dict[str, Any]]:
    """Every tool the gateway can register (writes allowed), as the wire carries it."""
    settings = GatewaySettings(allow_writes=True, audit_log="off")
    gateway = create_gateway(Settings(SplunkDefaults(host=None), settings))
    try:
        async with Client(gateway.mcp) as client:
            result = await client.list_tools_mcp()
    finally:
        gateway.close()
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in result.tools]


def report(tools: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(view, tools, bytes) for each toolset, the default view and everything."""
    rows = []
    for toolset in TOOLSETS:
        chosen = [tool for tool in tools if TOOLSET_OF[tool["name"]] == toolset.name]
        rows.append((toolset.name, len(chosen), wire_size(chosen)))
    default = [tool for tool in tools if TOOLSET_OF[tool["name"]] != "writes"]
    rows.append(("default (every read toolset)", len(default), wire_size(default)))
    rows.append(("default + writes (MCP_SPLUNK_ALLOW_WRITES=true)", len(tools), wire_size(tools)))
    return rows


def main() -> None:
    rows = report(asyncio.run(listed()))
    width = max(len(view) for view, _, _ in rows)
    print(f"{'toolset':<{width}}  tools   bytes  ~tokens")
    for view, count, size in rows:
        print(f"{view:<{width}}  {count:>5}  {size:>6}  {size // 4:>7}")


if __name__ == "__main__":
    main()
