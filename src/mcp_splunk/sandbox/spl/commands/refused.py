"""Commands the parser knows (so a policy can see them) but the sandbox never executes."""

from __future__ import annotations

from typing import Final

from mcp_splunk.sandbox.spl.commands.base import Command, RunEnv, register
from mcp_splunk.sandbox.spl.values import Row

REFUSED: Final = (
    "delete",
    "collect",
    "mcollect",
    "meventcollect",
    "tscollect",
    "outputlookup",
    "outputcsv",
    "outputtext",
    "sendemail",
    "sendalert",
    "script",
    "run",
    "runshellscript",
    "dbxquery",
    "map",
    "appendpipe",
    "foreach",
)


@register(*REFUSED)
class RefusedCommand(Command):
    kind = "events"

    def generate(self, env: RunEnv) -> list[Row]:
        return self.run([], env)

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        raise self.error("This command is not executed by the sandbox")
