"""What every command shares: its parsed input, the run environment, argument reading and the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from mcp_splunk.sandbox.spl.context import SearchContext
from mcp_splunk.sandbox.spl.errors import command_error
from mcp_splunk.sandbox.spl.evalfuncs import EvalEnv
from mcp_splunk.sandbox.spl.values import Row
from mcp_splunk.spl import OP, STRING, SUBSEARCH, WORD, PipelineSyntax, Token

TRUE_WORDS: Final = frozenset(("true", "t", "1", "yes", "y"))
FALSE_WORDS: Final = frozenset(("false", "f", "0", "no", "n"))


@dataclass(slots=True)
class RunEnv:
    ctx: SearchContext
    earliest: float | None
    latest: float | None
    eval_env: EvalEnv
    run_subsearch: Callable[[ParsedSearch], list[Row]]
    check_stop: Callable[[], None]  # raises SearchCancelled
    progress: Callable[[float, int, int], None]
    messages: list[tuple[str, str]] = field(default_factory=list)
    scanned: int = 0
    matched: int = 0


@dataclass(slots=True)
class CommandInput:
    name: str
    args: str
    tokens: list[Token]
    subsearches: list[ParsedSearch]


class Command:
    """One command of a pipeline, validated at parse time and run over a list of rows."""

    kind: ClassVar[str] = "streaming"  # "streaming", "events" (centralized, order-sensitive) or "report"
    generating: ClassVar[bool] = False
    orders_fields: bool = False  # its output columns come in a fixed order (tables, reports)

    def __init__(self, spec: CommandInput) -> None:
        self.name = spec.name
        self.rawargs = spec.args
        self.subsearches = spec.subsearches

    def error(self, what: str) -> Exception:
        return command_error(self.name, what)

    def generate(self, env: RunEnv) -> list[Row] | None:
        """Rows this command produces when it starts a pipeline; None: it runs over no rows instead."""
        return None

    def run(self, rows: list[Row], env: RunEnv) -> list[Row]:
        raise self.error("This command must be the first command of a search")

    def describe_args(self) -> dict[str, Any]:
        return {}


@dataclass(slots=True)
class ParsedSearch:
    text: str  # after comment removal and macro expansion
    syntax: PipelineSyntax
    commands: list[Command]


REGISTRY: dict[str, type[Command]] = {}


def register(*names: str) -> Callable[[type[Command]], type[Command]]:
    def add(cls: type[Command]) -> type[Command]:
        for name in names:
            REGISTRY[name] = cls
        return cls

    return add


class ArgReader:
    """Reads a command's tokens: ``key=value`` options wherever they are, then positional words."""

    def __init__(self, command: str, tokens: list[Token], text: str) -> None:
        self.command = command
        self.tokens = list(tokens)
        self.text = text

    def error(self, what: str) -> Exception:
        return command_error(self.command, what)

    def options(self, *names: str) -> dict[str, str]:
        """Remove and return every ``name=value`` (names case-insensitive) among ``names``; the last one wins."""
        return dict(self._take({name.lower() for name in names}))

    def option_values(self, name: str) -> list[str]:
        """Remove and return every value of a repeatable option such as ``index=``."""
        return [value for _, value in self._take({name.lower()})]

    def _take(self, wanted: set[str]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        index = 0
        while index < len(self.tokens) - 1:
            key, equals = self.tokens[index], self.tokens[index + 1]
            if key.kind == WORD and key.value.lower() in wanted and equals.kind == OP and equals.value == "=":
                value, stop = self.value_at(index + 2)
                found.append((key.value.lower(), value))
                del self.tokens[index:stop]
            else:
                index += 1
        return found

    def value_at(self, index: int) -> tuple[str, int]:
        """The value starting at token ``index`` (adjacent tokens join: ``span=1h``, ``path=a{}.b``)."""
        if index >= len(self.tokens) or self.tokens[index].kind not in (WORD, STRING):
            raise self.error("Missing a value for an option")
        first = last = self.tokens[index]
        stop = index + 1
        if first.kind == STRING:
            return first.value, stop
        while stop < len(self.tokens):
            token = self.tokens[stop]
            if token.offset != last.end or token.kind in (STRING, SUBSEARCH) or token.value in "(),":
                break
            last = token
            stop += 1
        return self.text[first.offset : last.end], stop

    def rest(self) -> list[Token]:
        remaining, self.tokens = self.tokens, []
        return remaining

    def words(self) -> list[str]:
        """Remaining tokens as plain words (commas dropped); anything else is an error."""
        words = []
        for token in self.rest():
            if token.kind == OP and token.value == ",":
                continue
            if token.kind not in (WORD, STRING):
                raise self.error(f"Invalid argument: '{token.value}'")
            words.append(token.value)
        return words


def parse_bool(command: str, name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise command_error(command, f"Invalid value for {name}: '{value}'")


def parse_int(command: str, name: str, value: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise command_error(command, f"Invalid value for {name}: '{value}'. It must be an integer >= {minimum}")
    return number


def split_by(command: str, tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Split at a ``by`` keyword (any case): (before, after). A ``by`` naming no field is an error in Splunk,
    not a by-less command."""
    for index, token in enumerate(tokens):
        if token.kind == WORD and token.value.lower() == "by":
            if index + 1 == len(tokens):
                raise command_error(command, "Missing the fields to group by after 'by'")
            return tokens[:index], tokens[index + 1 :]
    return tokens, []


def field_names(command: str, tokens: list[Token]) -> list[str]:
    names = [token.value for token in tokens if not (token.kind == OP and token.value == ",")]
    if any(token.kind not in (WORD, STRING, OP) or (token.kind == OP and token.value != ",") for token in tokens):
        raise command_error(command, "Invalid field list")
    return names
