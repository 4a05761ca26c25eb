"""Verdicts on SPL: refuse what writes, sends or executes, wherever it hides, and nothing that merely mentions it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from mcp_splunk.policy.commands import DEFAULT_DENIED, canonical, denial_reason, raw_output_reason
from mcp_splunk.policy.walker import MacroUse, Occurrence, walk
from mcp_splunk.spl import SplSyntaxError


@dataclass(frozen=True, slots=True)
class Finding:
    """One refused command occurrence."""

    command: str  # lower-cased, as written
    canonical: str  # aliases resolved: "collect" for "summaryindex"
    location: str  # e.g. "top-level pipeline, command 3" or "subsearch in 'append' (command 2)"
    offset: int | None  # in the checked query; None for commands seen only in the target parser's output
    reason: str  # e.g. "writes to an index"

    def describe(self) -> str:
        what = self.reason if self.command == self.canonical else f"alias of '{self.canonical}', {self.reason}"
        return f"'{self.command}' ({what}) in {self.location}"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    commands: tuple[str, ...]  # every command found, nested ones included, in order of appearance
    findings: tuple[Finding, ...]
    reason: str  # one sentence: "Allowed." or "Refused: ..."

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "commands": list(self.commands),
            "findings": [asdict(finding) for finding in self.findings],
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class SplPolicy:
    """Which commands are refused. Only the operator builds one: no tool argument reaches these fields."""

    denied: frozenset[str] = DEFAULT_DENIED  # canonical names
    allowed_overrides: frozenset[str] = frozenset()  # canonical names permitted despite ``denied``

    @classmethod
    def from_settings(cls, allowed_overrides: Iterable[str] = (), extra_denied: Iterable[str] = ()) -> SplPolicy:
        """The default policy adjusted by operator-supplied names (any case, aliases accepted).

        An override that names no denied command is rejected: it is most likely a typo that would leave the
        command the operator meant to permit still refused, or hint at a belief that the override loosens more.
        """
        denied = DEFAULT_DENIED | {canonical(name) for name in extra_denied}
        overrides = frozenset(canonical(name) for name in allowed_overrides)
        if unknown := sorted(overrides - denied):
            raise ValueError(f"allowed_overrides names commands that are not denied: {', '.join(unknown)}")
        return cls(denied, overrides)

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
            lexical = walk(query, is_command=self._judges)
        except SplSyntaxError as exc:
            return _refused(f"the query cannot be parsed: {exc.message.rstrip('.')}")
        findings = self._findings(lexical.occurrences)
        problems = [_unexpandable(use) for use in lexical.macros if not use.expandable]
        expandable = [use for use in lexical.macros if use.expandable]
        commands = [occurrence.name for occurrence in lexical.occurrences]
        if parsed is not None:
            try:
                expanded = walk(_parser_pipeline(parsed), is_command=self._judges, parser_output=True)
            except SplSyntaxError as exc:
                problems.append(f"the target parser's commands cannot be parsed: {exc.message.rstrip('.')}")
            except (TypeError, ValueError) as exc:
                problems.append(f"the target parser's response is unusable: {exc}")
            else:
                findings.extend(_unmatched(self._findings(expanded.occurrences), findings))
                problems.extend(_unexpandable(use) for use in expanded.macros)
                commands = [occurrence.name for occurrence in expanded.occurrences]
        elif expandable:
            problems.append(_needs_expansion(expandable))
        parts = [finding.describe() for finding in findings] + problems
        reason = f"Refused: {'; '.join(parts)}." if parts else "Allowed."
        return Verdict(not parts, tuple(commands), tuple(findings), reason)

    def _judges(self, word: str) -> bool:
        return canonical(word) in self.denied

    def _findings(self, occurrences: Iterable[Occurrence]) -> list[Finding]:
        findings: list[Finding] = []
        for occurrence in occurrences:
            name = canonical(occurrence.name)
            if name in self.allowed_overrides:
                continue
            reason = denial_reason(name, occurrence.tokens) if name in self.denied else None
            if reason is None and occurrence.in_subsearch:
                reason = raw_output_reason(name, occurrence.tokens)
            if reason is not None:
                findings.append(Finding(occurrence.name, name, occurrence.location, occurrence.offset, reason))
        return findings


def _refused(reason: str) -> Verdict:
    return Verdict(False, (), (), f"Refused: {reason}.")


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


def _parser_pipeline(parsed: Mapping[str, Any]) -> str:
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
