"""Verdicts on SPL: default deny, judged on the parsed query wherever a command hides, never on words in text.

A query is allowed only if every command of every pipeline (the top level, subsearches at any depth, bodies,
``map`` searches, and macro bodies in the target parser's expansion) is on the read-only list or the operator's,
no construction turns data into SPL text, and every ``| rest`` reads an allowed endpoint. What runs is the
verdict's ``query``: the checked text with the secret-named fields dropped after every ``| rest``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from mcp_splunk.policy.catalogue import (
    ALLOW_SETTING,
    KNOWN,
    READ_ONLY,
    REFUSED,
    WRITES_SETTING,
    canonical,
    refusal_text,
)
from mcp_splunk.policy.fieldflow import Observer, flow
from mcp_splunk.policy.fields import Fields
from mcp_splunk.policy.rest import RestRules, masking_suffix
from mcp_splunk.policy.time_terms import TimeTerm, time_terms
from mcp_splunk.policy.walker import Command, MacroUse, Pipeline, Walk, named_arguments, walk
from mcp_splunk.spl import STRING, SUBSEARCH, WORD, SplSyntaxError

MAP_SEARCHES_SETTING: Final = "MCP_SPLUNK_MAX_MAP_SEARCHES"
SPLUNK_MAP_DEFAULT: Final = 10  # searches map runs when maxsearches is not given
_PLACEHOLDER: Final = re.compile(r"\$[^$\s]+\$")
_NAME_TEMPLATE: Final = re.compile(r"<<(FIELD|MATCHSTR|MATCHSEG\d*)>>")
_DATASET_PREFIXES: Final = ("datamodel:", "lookup:", "inputlookup:")
_UNLESS_LISTED: Final = f"; the operator can allow it by listing '{{}}' in {ALLOW_SETTING}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One refused command occurrence, or one construction that builds SPL from data."""

    command: str  # lower-cased, as written
    canonical: str  # aliases resolved: "collect" for "summaryindex"
    location: str  # e.g. "top-level pipeline, command 3" or "subsearch in 'append' (command 2)"
    offset: int | None  # in the checked query; None for commands seen only in the target parser's output
    reason: str

    def describe(self) -> str:
        what = self.reason if self.command == self.canonical else f"alias of '{self.canonical}', {self.reason}"
        return f"'{self.command}' ({what}) in {self.location}"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    commands: tuple[str, ...]  # every command found, nested ones included, in order of appearance
    findings: tuple[Finding, ...]
    reason: str  # one sentence: "Allowed." or "Refused: ..."
    query: str = ""  # what to dispatch: the checked text, secret-named fields dropped after every | rest
    time_terms: tuple[TimeTerm, ...] = ()  # inline time bounds anywhere, macro bodies included when expanded

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "commands": list(self.commands),
            "findings": [asdict(finding) for finding in self.findings],
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class SplPolicy:
    """What may run. Only the operator builds one: no tool argument reaches these fields."""

    allowed: frozenset[str] = frozenset()  # canonical names the operator adds to the read-only list
    writes: bool = False  # MCP_SPLUNK_ALLOW_WRITES: listed commands that write may run
    rest: RestRules = field(default_factory=RestRules)
    max_map_searches: int = SPLUNK_MAP_DEFAULT

    @classmethod
    def from_settings(
        cls,
        allowed: Iterable[str] = (),
        *,
        writes: bool = False,
        rest_endpoints: Sequence[str] = (),
        max_map_searches: int = SPLUNK_MAP_DEFAULT,
    ) -> SplPolicy:
        names = frozenset(canonical(name) for name in allowed)
        if bad := sorted(name for name in names if not re.fullmatch(r"[a-z_][a-z0-9_]*", name)):
            raise ValueError(f"{ALLOW_SETTING} holds '{bad[0][:40]}', which is not a command name")
        return cls(names, writes, RestRules(rest_endpoints), max_map_searches)

    def check(self, query: str) -> Verdict:
        """Judge ``query`` from its text alone; a query with macros is refused, as only the target can expand them.

        Pass the text exactly as splunkd will receive it: splunkd reads a first word that is not ``search`` as a
        command, so ``delete`` alone is refused while ``search delete`` is a search for the word.
        """
        return self.check_with_parser(query, None)

    def check_with_parser(self, query: str, parsed: Mapping[str, Any] | None) -> Verdict:
        """Judge ``query`` from its text and from ``parsed``, the target's ``search/parser`` JSON for it.

        The parser's ``commands`` have macros expanded, so a query with macros can be allowed only with them.
        """
        try:
            lexical = walk(query, is_command=self._is_command)
        except SplSyntaxError as exc:
            return _refused(f"the query cannot be parsed: {exc.message.rstrip('.')}", query)
        judge = _Judge(self)
        judge.run(lexical)
        findings = judge.findings
        problems = [_unexpandable(use) for use in lexical.macros if not use.expandable]
        expandable = [use for use in lexical.macros if use.expandable]
        final = lexical
        if parsed is not None:
            try:
                expanded = walk(parser_pipeline(parsed), is_command=self._is_command, parser_output=True)
            except SplSyntaxError as exc:
                problems.append(f"the target parser's commands cannot be parsed: {exc.message.rstrip('.')}")
            except (TypeError, ValueError) as exc:
                problems.append(f"the target parser's response is unusable: {exc}")
            else:
                deep = _Judge(self, expanded=True)
                deep.run(expanded)
                findings.extend(_unmatched(deep.findings, findings))
                problems.extend(_unexpandable(use) for use in expanded.macros)
                if _count(expanded, "rest") > _count(lexical, "rest"):
                    problems.append(
                        "a macro expands to | rest, whose secret-named fields the gateway can only drop "
                        "where | rest is written out; write the rest command in the query itself"
                    )
                final = expanded
        elif expandable:
            problems.append(_needs_expansion(expandable))
        parts = [finding.describe() for finding in findings] + problems
        reason = f"Refused: {'; '.join(parts)}." if parts else "Allowed."
        commands = tuple(command.name for command in final.pipeline.walk())
        terms = tuple(time_terms(final.pipeline.walk()))
        return Verdict(not parts, commands, tuple(findings), reason, _masked(query, judge.rest_ends), terms)

    def _is_command(self, word: str) -> bool:
        return canonical(word) in KNOWN or canonical(word) in self.allowed


class _Judge(Observer):
    """Walks one tree with the field flow and collects findings."""

    def __init__(self, policy: SplPolicy, *, expanded: bool = False) -> None:
        self.policy = policy
        self.expanded = expanded  # judging the target parser's view: where a rest stands was judged on the text
        self.findings: list[Finding] = []
        self.rest_ends: list[int] = []

    def run(self, tree: Walk) -> None:
        flow(tree.pipeline, observer=self)

    def command(self, command: Command, fields: Fields) -> None:
        name = canonical(command.name)
        if name.startswith("`"):
            return  # a macro standing for a command: judged on its expansion
        if command.bare_word is not None:
            self._refuse(
                command,
                f"starts a subsearch, and Splunk may read '{command.bare_word}' as a command; begin the subsearch "
                "with 'search' or '|' to say which",
                written=command.bare_word,
            )
        reason = self._reason(command, name, fields)
        if reason is not None:
            self._refuse(command, reason)

    def end(self, pipeline: Pipeline, fields: Fields) -> None:
        if pipeline.role != "inserted" or any(command.name.startswith("`") for command in pipeline.commands):
            return  # a macro standing for a command: the walk of its expansion judges this pipeline
        last = pipeline.commands[-1]
        if fields.open:
            self._refuse(
                last,
                "ends a subsearch whose field names the data can choose, and Splunk writes a subsearch's field "
                "names (and raw 'search'/'query' values) into the outer search as SPL; end it with fields, table, "
                "stats or return naming the fields it yields",
                where=pipeline.location,
                written=last.bare_word,
            )
        elif raw := sorted(fields.raw()):
            self._refuse(
                last,
                f"ends a subsearch that yields a '{raw[0]}' field, whose value Splunk pastes into the outer "
                "search as raw SPL; name it otherwise, or quote it with return or format",
                where=pipeline.location,
                written=last.bare_word,
            )

    def _refuse(self, command: Command, reason: str, *, where: str | None = None, written: str | None = None) -> None:
        written = written or command.name.lower()
        location = where or command.location
        self.findings.append(Finding(written, canonical(written), location, command.offset, reason))

    def _reason(self, command: Command, name: str, fields: Fields) -> str | None:
        policy = self.policy
        if name == "rest":
            return self._rest(command)
        if name in policy.allowed:
            refused = REFUSED.get(name)
            if refused is not None and refused.writes and not policy.writes:
                return f"{refused.reason}; listed by the operator, but it also needs {WRITES_SETTING}=true"
            return None
        if name not in READ_ONLY:
            return refusal_text(name)
        rule = _RULES.get(name)
        return rule(self, command, fields) if rule is not None else None

    def _rest(self, command: Command) -> str | None:
        if (refusal := self.policy.rest.refusal(command.tokens)) is not None:
            return refusal
        if self.expanded:
            return None
        if command.end is None:
            return "stands inside a map search, whose secret-named fields the gateway cannot drop; run it directly"
        self.rest_ends.append(command.end)
        return None

    def _map(self, command: Command, fields: Fields) -> str | None:
        templates = [t.value for t in command.tokens if t.kind == SUBSEARCH] + [
            v.value for v in named_arguments(command.tokens, "search") if v is not None and v.kind in (WORD, STRING)
        ]
        if not templates:
            return "runs a saved search whose SPL cannot be inspected" + _UNLESS_LISTED.format("map")
        if any(_PLACEHOLDER.search(template) for template in templates):
            return (
                "pastes field values ($field$) into the SPL it runs, so the data decides what runs"
                + _UNLESS_LISTED.format("map")
            )
        limit = self.policy.max_map_searches
        given = [v.value for v in named_arguments(command.tokens, "maxsearches") if v is not None]
        runs = int(given[-1]) if given and given[-1].isdigit() else (SPLUNK_MAP_DEFAULT if not given else None)
        if runs is None or runs == 0 or runs > limit:
            return (
                f"may run {runs or 'an unbounded number of'} searches; the operator allows at most "
                f"{limit} ({MAP_SEARCHES_SETTING}): give maxsearches=N with N from 1 to {limit}"
            )
        return None

    def _return(self, command: Command, fields: Fields) -> str | None:
        if any(token.value.startswith("$") for token in command.tokens):
            return (
                "returns raw field values ($field), which Splunk pastes into the outer search as SPL; return the "
                "field by name instead" + _UNLESS_LISTED.format("return")
            )
        return None

    def _foreach(self, command: Command, fields: Fields) -> str | None:
        bodies = [token.value for token in command.tokens if token.kind == SUBSEARCH]
        if any("<<ITEM>>" in body for body in bodies):
            return (
                "pastes multivalue items (<<ITEM>>) into the SPL of its body, so the data decides what runs"
                + _UNLESS_LISTED.format("foreach")
            )
        wildcard = any(t.kind in (WORD, STRING) and "*" in t.value for t in command.tokens)
        if wildcard and fields.open and any(_NAME_TEMPLATE.search(body) for body in bodies):
            return (
                "pastes field names the data can choose (a wildcard over event fields) into the SPL of its body; "
                "name the fields, or fix them first with fields, table or stats" + _UNLESS_LISTED.format("foreach")
            )
        return None

    def _datasets(self, command: Command, fields: Fields) -> str | None:
        for index, token in enumerate(command.tokens):
            if token.kind not in (WORD, STRING) or _is_option_at(command.tokens, index):
                continue
            if not token.value.lower().startswith(_DATASET_PREFIXES):
                return (
                    f"reads dataset '{token.value[:60]}', which may be a saved search whose SPL cannot be inspected; "
                    "use a subsearch, datamodel:, lookup: or inputlookup: dataset"
                    + _UNLESS_LISTED.format("savedsearch")
                )
        return None


def _is_option_at(tokens: Sequence[Any], index: int) -> bool:
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    before = tokens[index - 1] if index > 0 else None
    return (after is not None and after.value == "=") or (before is not None and before.value == "=")


_RULES: Final = {
    "map": _Judge._map,
    "return": _Judge._return,
    "foreach": _Judge._foreach,
    "from": _Judge._datasets,
    "union": _Judge._datasets,
}


def _masked(query: str, ends: Sequence[int]) -> str:
    suffix = masking_suffix()
    text = query
    for end in sorted(set(ends), reverse=True):
        text = text[:end] + suffix + text[end:]
    return text


def _count(tree: Walk, name: str) -> int:
    return sum(1 for command in tree.pipeline.walk() if canonical(command.name) == name)


def _refused(reason: str, query: str) -> Verdict:
    return Verdict(False, (), (), f"Refused: {reason}.", query)


def _needs_expansion(uses: Sequence[MacroUse]) -> str:
    calls = ", ".join(dict.fromkeys(use.call for use in uses))
    noun = "macro" if len(uses) == 1 else "macros"
    return f"contains {noun} {calls}; expansion needed (check it with the target's search parser)"


def _unexpandable(use: MacroUse) -> str:
    return f"macro {use.call} in {use.location} is expanded only when the search runs, so it cannot be checked"


def _unmatched(expanded: Sequence[Finding], lexical: Sequence[Finding]) -> list[Finding]:
    """Findings of the parser's view not already found in the text: those the macros (or splunkd) revealed."""
    seen = Counter((finding.command, finding.reason) for finding in lexical)
    fresh: list[Finding] = []
    for finding in expanded:
        key = (finding.command, finding.reason)
        if seen[key]:
            seen[key] -= 1
        else:
            fresh.append(finding)
    return fresh


def parser_pipeline(parsed: Mapping[str, Any]) -> str:
    """The parser's commands as one pipeline, so subsearches and map strings in ``rawargs`` are walked too."""
    commands = parsed.get("commands")
    if not isinstance(commands, list) or not commands:
        raise ValueError("no 'commands' list")
    parts: list[str] = []
    for entry in commands:
        name = entry.get("command") if isinstance(entry, Mapping) else None
        rawargs = entry.get("rawargs", "") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name.strip() or not isinstance(rawargs, str):
            raise ValueError("a command without a 'command' name or string 'rawargs'")
        parts.append(f"{name} {rawargs}")
    # The leading "|" makes the first entry a command by name, as the parser reported it.
    return "| " + " | ".join(parts)
