"""Generated documentation blocks, rendered from the registries so they cannot drift: the README's catalogue of
tools, resources and prompts, and SECURITY.md's tables of the SPL policy.

``python -m mcp_splunk.catalog`` prints them and ``--write FILE`` replaces every block FILE holds between its
markers; tests check that README.md and SECURITY.md hold exactly this text.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from mcp_splunk.masking import spl_secret_patterns
from mcp_splunk.policy import ALIASES, DEFAULT_ENDPOINTS, NEVER, READ_ONLY, REFUSED
from mcp_splunk.prompts import PROMPTS
from mcp_splunk.resources import RESOURCES, SPL_REFERENCE
from mcp_splunk.tools.base import BaseTool
from mcp_splunk.tools.registry import TOOLSETS

START = "<!-- catalogue:start -->"
END = "<!-- catalogue:end -->"
POLICY_START = "<!-- spl-policy:start -->"
POLICY_END = "<!-- spl-policy:end -->"


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
    for toolset in TOOLSETS:
        heading = f"**{toolset.title}** (toolset `{toolset.name}`)"
        lines += ["", heading, "", "| Tool | What it does | Kind |", "|---|---|---|"]
        for tool in toolset.tools:
            # A pipe in a description (SPL quoted in it) would end the table cell.
            summary = tool.description.split(". ")[0].rstrip(".").replace("|", "\\|") + "."
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


def render_policy() -> str:
    aliases = {canonical: sorted(a for a, c in ALIASES.items() if c == canonical) for canonical in ALIASES.values()}
    lines = ["| Command | Why it cannot write, send or execute |", "|---|---|"]
    for name, why in sorted(READ_ONLY.items()):
        also = f" (also `{'`, `'.join(aliases[name])}`)" if name in aliases else ""
        lines.append(f"| `{name}`{also} | {why} |")
    lines += ["", "Known to write, send, execute or run SPL the gateway cannot see (refused unless listed):", ""]
    lines += ["| Command | What it does | Listing it also needs `MCP_SPLUNK_ALLOW_WRITES=true` |", "|---|---|---|"]
    for name, refusal in sorted(REFUSED.items()):
        also = f" (also `{'`, `'.join(aliases[name])}`)" if name in aliases else ""
        lines.append(f"| `{name}`{also} | {refusal.reason} | {'yes' if refusal.writes else 'no'} |")
    lines += ["", "`| rest` endpoints readable by default (under `/services/` or `/servicesNS/<owner>/<app>/`):", ""]
    lines += ["| Endpoint | What it answers |", "|---|---|"]
    lines += [f"| `{path}` | {why} |" for path, why in DEFAULT_ENDPOINTS.items()]
    lines += ["", "Never readable, whatever the operator lists:", "", "| Endpoint | Why |", "|---|---|"]
    lines += [f"| `{path}` | {why} |" for path, why in NEVER.items()]
    lines += ["", "Fields dropped after every `| rest`: `fields - " + " ".join(spl_secret_patterns()) + "`."]
    return "\n".join(lines)


BLOCKS = ((START, END, render), (POLICY_START, POLICY_END, render_policy))


def write(path: Path) -> None:
    text = path.read_text()
    for start, end, produce in BLOCKS:
        if start in text:
            head, _, rest = text.partition(start)
            _, _, tail = rest.partition(end)
            text = f"{head}{start}\n{produce()}\n{end}{tail}"
    path.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write(Path(sys.argv[2]))
    else:
        print(render() + "\n\n" + render_policy())
