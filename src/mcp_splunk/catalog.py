"""The README's catalogue of tools, resources and prompts, rendered from the registries (so it cannot drift).

``python -m mcp_splunk.catalog`` prints it and ``--write README.md`` replaces the block between the markers;
a test checks that README.md holds exactly this text.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from mcp_splunk.prompts import PROMPTS
from mcp_splunk.resources import RESOURCES, SPL_REFERENCE
from mcp_splunk.tools.base import BaseTool
from mcp_splunk.tools.registry import AREAS

START = "<!-- catalogue:start -->"
END = "<!-- catalogue:end -->"


def _kind(tool: type[BaseTool]) -> str:
    if tool.kind:
        return tool.kind
    a = tool.annotations
    if a.read_only_hint:
        return "read-only"
    effect = "destructive" if a.destructive_hint else "additive"
    return f"{effect} write (only with `MCP_SPLUNK_ALLOW_WRITES=true`)"


def render() -> str:
    lines = ["### Tools"]
    for area, tools in AREAS:
        lines += ["", f"**{area}**", "", "| Tool | What it does | Kind |", "|---|---|---|"]
        for tool in tools:
            summary = tool.description.split(". ")[0].rstrip(".") + "."
            lines.append(f"| `{tool.name}` | {summary} | {_kind(tool)} |")
    lines += ["", "### Resources", "", "| URI | What it holds |", "|---|---|"]
    lines += [f"| `{spec.uri}` | {spec.description} |" for spec in RESOURCES]
    lines.append(f"| `{SPL_REFERENCE}` | A concise SPL reference for agents (static, shipped with the gateway). |")
    lines += ["", "### Prompts", "", "| Prompt | Arguments | What it plans |", "|---|---|---|"]
    for prompt in PROMPTS:
        arguments = ", ".join(f"`{name}`" for name in inspect.signature(prompt.render).parameters)
        lines.append(f"| `{prompt.name}` | {arguments} | {prompt.description} |")
    lines += [
        "",
        "Arguments that name an index, source type or saved search complete (`completion/complete`) from "
        "what the caller can see on their Splunk.",
    ]
    return "\n".join(lines)


def write(path: Path) -> None:
    text = path.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{render()}\n{END}{tail}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write(Path(sys.argv[2]))
    else:
        print(render())
