"""The README's catalogue of tools, resources and prompts, rendered from the registries (so it cannot drift).

``python -m mcp_splunk.catalog`` prints it; a test checks that README.md holds exactly this text between the
``<!-- catalogue:start -->`` and ``<!-- catalogue:end -->`` markers.
"""

from __future__ import annotations

from mcp_splunk.tools.base import BaseTool
from mcp_splunk.tools.registry import TOOLS

START = "<!-- catalogue:start -->"
END = "<!-- catalogue:end -->"


def _hints(tool: type[BaseTool]) -> str:
    a = tool.annotations
    if a.read_only_hint:
        return "read-only"
    kinds = ["destructive" if a.destructive_hint else "additive", "idempotent" if a.idempotent_hint else ""]
    return ", ".join(k for k in kinds if k) + " (write; off unless MCP_SPLUNK_ALLOW_WRITES=true)"


def render() -> str:
    lines = ["### Tools", "", "| Tool | What it does | Kind |", "|---|---|---|"]
    for tool in TOOLS:
        summary = tool.description.split(". ")[0].rstrip(".") + "."
        lines.append(f"| `{tool.name}` | {summary} | {_hints(tool)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
