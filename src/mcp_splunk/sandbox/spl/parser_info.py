"""``describe``: the body of splunkd's search/parser response for a parsed search."""

from __future__ import annotations

from typing import Any, Final

from mcp_splunk.sandbox.spl.commands import ParsedSearch
from mcp_splunk.sandbox.spl.commands.search import SearchCommand
from mcp_splunk.spl import CommandSyntax

_STREAM_TYPES: Final = {"streaming": "SP_STREAM", "events": "SP_EVENTS", "report": "SP_STREAMREPORT"}


def _text(command: CommandSyntax) -> str:
    return f"{command.name} {command.args}".strip()


def describe(parsed: ParsedSearch) -> dict[str, Any]:
    """splunkd's parser JSON: the events/reports split and one entry per top-level command."""
    commands = parsed.commands
    syntax = parsed.syntax.commands
    first_report = next((i for i, c in enumerate(commands) if c.kind == "report"), len(commands))
    events_part = commands[:first_report]
    streaming_prefix = 1
    while streaming_prefix < first_report and commands[streaming_prefix].kind == "streaming":
        streaming_prefix += 1
    remote = [_text(c) for c in syntax[:streaming_prefix]] if first_report else []
    if remote and isinstance(commands[0], SearchCommand):
        remote[0] = f"litsearch {syntax[0].args}".strip()
    return {
        "remoteSearch": " | ".join(remote),
        "remoteTimeOrdered": True,
        "eventsSearch": " | ".join(_text(c) for c in syntax[:first_report]),
        "eventsTimeOrdered": all(c.kind == "streaming" for c in events_part[1:]),
        "eventsStreaming": all(c.kind == "streaming" for c in events_part[1:]),
        "reportsSearch": " | ".join(_text(c) for c in syntax[first_report:]),
        "canSummarize": first_report < len(commands) and streaming_prefix == first_report,
        "commands": [
            {
                "command": cs.name,
                "rawargs": cs.args,
                "pipeline": "report" if position >= first_report else "streaming",
                "args": command.describe_args(),
                "isGenerating": position == 0 and (command.generating or isinstance(command, SearchCommand)),
                "streamType": _STREAM_TYPES[command.kind],
            }
            for position, (cs, command) in enumerate(zip(syntax, commands, strict=True))
        ],
    }
