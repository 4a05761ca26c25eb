"""A query as a tree of pipelines: every command wherever it hides, and what each nested pipeline is for.

The walk relies on the shared syntax package for all lexing; what it adds is where commands hide and what Splunk
does with a nested pipeline's rows (its ``Role``):

* a ``[...]`` group of ``append``, ``appendcols``, ``join``, ``union``, ``multisearch`` or ``set`` yields rows;
* the ``[...]`` of ``appendpipe`` is a body over the rows already there; that of ``foreach`` and of ``map`` (and a
  ``map search="..."`` string) is a template into which Splunk pastes names or values before running it;
* every other ``[...]`` group is a subsearch whose rows Splunk turns into *search text* of the outer command;
* the first word of a pipeline without a leading ``|`` may be a command (splunkd reads ``[inputlookup x]`` that
  way); a known command name is taken as one, any other bare word is kept for the policy to judge;
* a macro call standing where a command goes is masked (the lexer rejects it there) and reported for expansion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from mcp_splunk.spl import (
    OP,
    STRING,
    WORD,
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

Role = Literal["top", "inserted", "results", "body", "template"]
_ROLES: Final[Mapping[str, Role]] = {
    **dict.fromkeys(("append", "appendcols", "join", "union", "multisearch", "set"), "results"),
    "appendpipe": "body",
    "foreach": "template",
    "map": "template",
}
_RELATIONS: Final[Mapping[Role, str]] = {"body": "body of", "template": "template of"}

# A first word followed by one of these is a field comparison (``script=deploy.sh``), not a command.
_COMPARISONS: Final = frozenset({"=", "==", "!=", "<", ">", "<=", ">="})
_KEYWORDS: Final = frozenset({"not", "and", "or", "search"})
_COMMAND_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Origin = Callable[[int], int | None]
"""Maps a position in the text being walked to an offset in the checked query (``None`` when unknown)."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # lower-cased command name, or the macro call as written where a macro stands for a command
    tokens: tuple[Token, ...]  # its arguments
    offset: int | None  # in the checked query
    end: int | None  # just past its arguments in the checked query; None where the gateway cannot edit the text
    location: str
    pipelines: tuple[Pipeline, ...]  # nested: its [...] groups and map search strings, in order
    bare_word: str | None = None  # the first word of an implicit search that Splunk might read as a command


@dataclass(frozen=True, slots=True)
class Pipeline:
    role: Role
    commands: tuple[Command, ...]
    location: str

    def walk(self) -> Iterator[Command]:
        """Every command, nested ones right after their container."""
        for command in self.commands:
            yield command
            for nested in command.pipelines:
                yield from nested.walk()


@dataclass(frozen=True, slots=True)
class MacroUse:
    call: str  # as written, backticks included
    offset: int | None
    location: str
    expandable: bool  # in the query's own text, so the target's parser expands it (not inside a string)


@dataclass(slots=True)
class Walk:
    pipeline: Pipeline
    macros: list[MacroUse] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Scope:
    label: str
    root: bool  # commands of a root pipeline are located by position; nested ones by their container
    suffix: str  # what the locations of pipelines nested in this one end with
    editable: bool  # offsets are exact positions in the checked query's own text

    def locate(self, position: int) -> str:
        return f"{self.label}, command {position}" if self.root else self.label

    def nested(self, relation: str, command: str, position: int, *, editable: bool) -> _Scope:
        label = f"{relation} '{command}' (command {position}){self.suffix}"
        return _Scope(label, root=False, suffix=f" in {label}", editable=editable)


def walk(text: str, *, is_command: Callable[[str], bool], parser_output: bool = False) -> Walk:
    """``text`` as a tree of pipelines.

    ``is_command`` says which first words of an implicit search are commands. ``parser_output`` marks text rebuilt
    from the target parser's JSON: its offsets mean nothing in the query and its macros were already expanded.
    Raises ``SplSyntaxError`` for text the lexer rejects.
    """
    walker = _Walker(is_command)
    if parser_output:
        scope = _Scope(TARGET_PARSER, True, f" in {TARGET_PARSER}", editable=False)
        pipeline = walker.text(text, scope, "top", _unknown, expandable=False)
    else:
        pipeline = walker.text(text, _Scope(TOP_LEVEL, True, "", editable=True), "top", _identity, expandable=True)
    return Walk(pipeline, walker.macros)


def named_arguments(tokens: Sequence[Token], name: str) -> list[Token | None]:
    """The value token of every ``name=value`` argument (``None`` when ``=`` ends the arguments)."""
    values: list[Token | None] = []
    for index, token in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        if token.kind == WORD and token.value.lower() == name and following.kind == OP and following.value == "=":
            values.append(tokens[index + 2] if index + 2 < len(tokens) else None)
    return values


class _Walker:
    def __init__(self, is_command: Callable[[str], bool]) -> None:
        self.macros: list[MacroUse] = []
        self._is_command = is_command

    def text(self, text: str, scope: _Scope, role: Role, origin: Origin, *, expandable: bool) -> Pipeline:
        calls = find_macro_calls(text)
        for call in calls:
            self.macros.append(MacroUse(text[call.start : call.end], origin(call.start), scope.label, expandable))
        code = blank_comments(_mask(text, calls))  # offsets stay valid, so args are exact slices of ``code``
        macros_at = {call.start: text[call.start : call.end] for call in calls}
        return self._pipeline(parse_pipeline(code), code, scope, role, origin, macros_at=macros_at)

    def _pipeline(
        self,
        syntax: PipelineSyntax,
        code: str,
        scope: _Scope,
        role: Role,
        origin: Origin,
        *,
        macros_at: Mapping[int, str],
    ) -> Pipeline:
        commands: list[Command] = []
        for position, command in enumerate(syntax.commands, start=1):
            tokens = tokenize(command.args)
            implicit = position == 1 and not syntax.leading_pipe and code.startswith(command.args, command.offset)
            implicit = implicit and command.offset not in macros_at  # a macro's expansion is judged on its own
            leading, bare = self._leading(tokens, nested=not scope.root) if implicit else (None, None)
            name = leading or macros_at.get(command.offset, command.name)
            arguments = tuple(tokens[1:] if leading else tokens)
            nested_role = _ROLES.get(name, "inserted")
            relation = _RELATIONS.get(nested_role, "subsearch in")
            pipelines = [
                self._pipeline(
                    sub,
                    code,
                    scope.nested(relation, name, position, editable=scope.editable),
                    nested_role,
                    origin,
                    macros_at=macros_at,
                )
                for sub in command.subsearches
            ]
            if name == "map":
                args_start = command.offset if implicit else code.find(command.args, command.offset + len("map"))
                inner = scope.nested("search= argument of", name, position, editable=False)
                pipelines += self._map_searches(command.args, arguments, args_start, inner, origin)
            end = origin(command.end) if scope.editable else None
            commands.append(
                Command(name, arguments, origin(command.offset), end, scope.locate(position), tuple(pipelines), bare)
            )
        return Pipeline(role, tuple(commands), scope.label)

    def _leading(self, tokens: Sequence[Token], *, nested: bool) -> tuple[str | None, str | None]:
        """(command, bare word) for the first word of an implicit search; a top-level query is sent as written,
        with ``search`` prefixed where it starts with neither ``search`` nor ``|``, so only nested ones count."""
        if not tokens or tokens[0].kind != WORD:
            return None, None
        if len(tokens) > 1 and tokens[1].kind == OP and tokens[1].value in _COMPARISONS:
            return None, None
        word = tokens[0].value.lower()
        if word == "map" or self._is_command(word):
            return word, None
        plain = nested and _COMMAND_WORD.fullmatch(tokens[0].value) and word not in _KEYWORDS
        return None, (word if plain else None)

    def _map_searches(
        self, args: str, tokens: Sequence[Token], args_start: int, scope: _Scope, origin: Origin
    ) -> list[Pipeline]:
        pipelines: list[Pipeline] = []
        for value in named_arguments(tokens, "search"):
            if value is None or value.kind not in (WORD, STRING):
                continue  # the policy refuses a map that has no search it can inspect
            start = args_start + value.offset
            if value.kind == STRING:
                inner = _shifted(origin, start + 1, _unescaped_positions(args[value.offset + 1 : value.end - 1]))
            else:
                inner = _shifted(origin, start, range(len(value.value)))
            try:
                # A macro in the string is expanded only when map runs it, after every check: never expandable.
                pipelines.append(self.text(value.value, scope, "template", inner, expandable=False))
            except SplSyntaxError as exc:
                raise SplSyntaxError(f"{exc.message.rstrip('.')} (in {scope.label}).", start) from None
        return pipelines


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
