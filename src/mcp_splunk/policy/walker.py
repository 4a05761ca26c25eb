"""Every command of a query wherever it hides: the top level, ``[...]`` groups at any depth, and ``map`` searches.

The walk relies on the shared syntax package for all lexing; what it adds is where commands hide:

* every ``[...]`` group is a pipeline of its own (subsearches, ``appendpipe`` and ``foreach`` bodies);
* the first word of a pipeline without a leading ``|`` is read as a command when it names one the caller cares
  about: splunkd reads ``[inputlookup x]`` or a search string ``delete`` that way, the lexer calls it ``search``;
* ``map search="..."`` holds a whole search in a string, walked like a query of its own;
* a macro call standing where a command goes is masked (the lexer rejects it there) and reported for expansion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from mcp_splunk.policy.commands import named_arguments
from mcp_splunk.spl import (
    OP,
    STRING,
    WORD,
    CommandSyntax,
    MacroCall,
    PipelineSyntax,
    SplSyntaxError,
    Token,
    find_macro_calls,
    parse_pipeline,
    tokenize,
)
from mcp_splunk.spl.lexer import blank_comments

TOP_LEVEL: Final = "top-level pipeline"
TARGET_PARSER: Final = "macro expansion (target parser)"

# A first word followed by one of these is a field comparison (``script=deploy.sh``), not a command.
_COMPARISONS: Final = frozenset({"=", "==", "!=", "<", ">", "<=", ">="})
_BODY_COMMANDS: Final = frozenset({"appendpipe", "foreach"})

Origin = Callable[[int], int | None]
"""Maps a position in the text being walked to an offset in the checked query (``None`` when unknown)."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    name: str  # lower-cased command name, or the macro call as written where a macro stands for a command
    tokens: tuple[Token, ...]  # its arguments
    offset: int | None
    location: str
    in_subsearch: bool = False  # its pipeline's results are inserted into an outer search


@dataclass(frozen=True, slots=True)
class MacroUse:
    call: str  # as written, backticks included
    offset: int | None
    location: str
    expandable: bool  # in the query's own text, so the target's parser expands it (not inside a string)


@dataclass(slots=True)
class Walk:
    occurrences: list[Occurrence] = field(default_factory=list)
    macros: list[MacroUse] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Scope:
    label: str
    root: bool  # commands of a root pipeline are located by position; nested ones by their container
    suffix: str  # what the locations of pipelines nested in this one end with
    subsearch: bool = False  # this pipeline's results are inserted into an outer search

    def locate(self, position: int) -> str:
        return f"{self.label}, command {position}" if self.root else self.label

    def nested(self, relation: str, command: str, position: int) -> _Scope:
        label = f"{relation} '{command}' (command {position}){self.suffix}"
        return _Scope(label, root=False, suffix=f" in {label}", subsearch=relation == "subsearch in")


def walk(text: str, *, is_command: Callable[[str], bool], parser_output: bool = False) -> Walk:
    """Every command of ``text`` in order of appearance, nested ones right after their container.

    ``is_command`` says which first words of an implicit search count as commands. ``parser_output`` marks text
    rebuilt from the target parser's JSON: its offsets mean nothing in the query and its macros were already
    expanded. Raises ``SplSyntaxError`` for text the lexer rejects.
    """
    walker = _Walker(is_command)
    if parser_output:
        walker.text(text, _Scope(TARGET_PARSER, True, f" in {TARGET_PARSER}"), _unknown, expandable=False)
    else:
        walker.text(text, _Scope(TOP_LEVEL, True, ""), _identity, expandable=True)
    return walker.result


class _Walker:
    def __init__(self, is_command: Callable[[str], bool]) -> None:
        self.result = Walk()
        self._is_command = is_command

    def text(self, text: str, scope: _Scope, origin: Origin, *, expandable: bool) -> None:
        calls = find_macro_calls(text)
        for call in calls:
            use = MacroUse(text[call.start : call.end], origin(call.start), scope.label, expandable)
            self.result.macros.append(use)
        code = blank_comments(_mask(text, calls))  # offsets stay valid, so args are exact slices of ``code``
        macros_at = {call.start: text[call.start : call.end] for call in calls}
        self._pipeline(parse_pipeline(code), code, scope, origin, macros_at)

    def _pipeline(
        self, pipeline: PipelineSyntax, code: str, scope: _Scope, origin: Origin, macros_at: Mapping[int, str]
    ) -> None:
        for position, command in enumerate(pipeline.commands, start=1):
            tokens = tokenize(command.args)
            implicit = position == 1 and not pipeline.leading_pipe and code.startswith(command.args, command.offset)
            leading = self._leading_command(tokens) if implicit else None
            name = leading or macros_at.get(command.offset, command.name)
            arguments = tokens[1:] if leading else tokens
            self.result.occurrences.append(
                Occurrence(name, tuple(arguments), origin(command.offset), scope.locate(position), scope.subsearch)
            )
            relation = "body of" if name in _BODY_COMMANDS else "subsearch in"
            for subsearch in command.subsearches:
                self._pipeline(subsearch, code, scope.nested(relation, name, position), origin, macros_at)
            if name == "map":
                args_start = command.offset if implicit else code.find(command.args, command.offset + len("map"))
                inner = scope.nested("search= argument of", name, position)
                self._map_searches(command, arguments, args_start, inner, origin)

    def _leading_command(self, tokens: Sequence[Token]) -> str | None:
        if not tokens or tokens[0].kind != WORD:
            return None
        if len(tokens) > 1 and tokens[1].kind == OP and tokens[1].value in _COMPARISONS:
            return None
        word = tokens[0].value.lower()
        return word if word == "map" or self._is_command(word) else None

    def _map_searches(
        self, command: CommandSyntax, tokens: Sequence[Token], args_start: int, scope: _Scope, origin: Origin
    ) -> None:
        for value in named_arguments(tokens, "search"):
            if value is None or value.kind not in (WORD, STRING):
                continue  # denial_reason refuses a map that has no search it can inspect
            start = args_start + value.offset
            if value.kind == STRING:
                raw = command.args[value.offset + 1 : value.end - 1]
                positions = _unescaped_positions(raw)
                inner = _shifted(origin, start + 1, positions)
            else:
                inner = _shifted(origin, start, range(len(value.value)))
            try:
                # A macro in the string is expanded only when map runs it, after every check: never expandable.
                self.text(value.value, scope, inner, expandable=False)
            except SplSyntaxError as exc:
                raise SplSyntaxError(f"{exc.message.rstrip('.')} (in {scope.label}).", start) from None


def _mask(text: str, calls: Sequence[MacroCall]) -> str:
    """``text`` with each macro call replaced by a same-length neutral word (the lexer rejects one after ``|``)."""
    if not calls:
        return text
    parts: list[str] = []
    position = 0
    for call in calls:
        parts.append(text[position : call.start])
        parts.append("_" * (call.end - call.start))
        position = call.end
    parts.append(text[position:])
    return "".join(parts)


def _unescaped_positions(raw: str) -> list[int]:
    """For each character of a string literal's value, its index in ``raw`` (the literal between its quotes).

    Mirrors the lexer's unescaping, where only ``\\"`` and ``\\\\`` lose their backslash.
    """
    positions: list[int] = []
    index = 0
    while index < len(raw):
        if raw[index] == "\\" and index + 1 < len(raw) and raw[index + 1] in '"\\':
            index += 1
        positions.append(index)
        index += 1
    return positions


def _shifted(origin: Origin, start: int, positions: Sequence[int]) -> Origin:
    def inner(position: int) -> int | None:
        return origin(start + positions[position]) if position < len(positions) else origin(start)

    return inner


def _identity(position: int) -> int | None:
    return position


def _unknown(position: int) -> int | None:
    return None
