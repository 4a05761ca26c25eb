"""The commands the policy refuses: canonical names, aliases, why each is refused, and the argument-dependent rules."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from mcp_splunk.spl import OP, STRING, SUBSEARCH, WORD, Token

REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "delete": "deletes events",
        "collect": "writes to an index",
        "mcollect": "writes metrics to an index",
        "meventcollect": "writes metric events to an index",
        "tscollect": "writes tsidx files on the server",
        "outputlookup": "writes a lookup",
        "outputcsv": "writes a CSV file on the server",
        "outputtext": "renders results for output (an internal output command)",
        "sendemail": "sends email",
        "sendalert": "triggers an alert action",
        "script": "runs a script",
        "runshellscript": "runs a shell script",
        "dump": "writes search results to files on the server",
        "dbxquery": "runs SQL on an external database (DB Connect)",
        "dbxoutput": "writes to an external database (DB Connect)",
        "dbxlookup": "queries an external database (DB Connect)",
        "savedsearch": "runs a saved search whose SPL cannot be inspected (use the run_saved_search tool)",
        # Refused only when their arguments say so; see ``denial_reason``.
        "rest": "REST call with a method other than GET",
        "map": "runs a saved search whose SPL cannot be inspected",
        "return": "returns raw field values ($field), which Splunk pastes into the outer search as SPL",
    }
)

ALIASES: Final[Mapping[str, str]] = MappingProxyType({"summaryindex": "collect", "run": "script"})

DEFAULT_DENIED: Final = frozenset(REASONS)
"""Canonical names the default policy judges; ``rest`` and ``map`` are refused only in the forms named above."""

OPERATOR_REASON: Final = "denied by the operator's policy"


def canonical(name: str) -> str:
    """The canonical command for a name as written (case and surrounding space ignored, aliases resolved)."""
    folded = name.strip().lower()
    return ALIASES.get(folded, folded)


def named_arguments(tokens: Sequence[Token], name: str) -> list[Token | None]:
    """The value token of every ``name=value`` argument (``None`` when ``=`` ends the arguments)."""
    values: list[Token | None] = []
    for index, token in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        if token.kind == WORD and token.value.lower() == name and following.kind == OP and following.value == "=":
            values.append(tokens[index + 2] if index + 2 < len(tokens) else None)
    return values


_PLACEHOLDER: Final = re.compile(r"\$[\w.]+\$")
_RAW_FIELDS: Final = frozenset({"search", "query"})
_FIELD_LISTS: Final = frozenset({"fields", "table", "return"})
_NAMED_GROUP: Final = re.compile(r"\(\?P?<(search|query)>", re.IGNORECASE)


def denial_reason(name: str, tokens: Sequence[Token]) -> str | None:
    """Why the denied command ``name`` (canonical) with these arguments is refused, or ``None`` if this form is safe."""
    if name == "rest":
        methods = [_text(value) for value in named_arguments(tokens, "method")]
        refused = [method for method in methods if method.lower() != "get"]
        return f"REST call with method {refused[0].upper() or '(empty)'}" if refused else None
    if name == "map":
        # map runs either its search="..." string or [subsearch] (both inspected by the walker) or a saved search
        # named by a bare word, whose SPL the gateway cannot see.
        searches = [token for token in tokens if token.kind == SUBSEARCH] + [
            value for value in named_arguments(tokens, "search") if value is not None and value.kind in (WORD, STRING)
        ]
        if not searches:
            return REASONS["map"]
        if any(_PLACEHOLDER.search(search.value) for search in searches):
            # map pastes each row's field values into the search text: data could supply "| delete".
            return "substitutes field values ($field$) into the SPL it runs, which cannot be checked beforehand"
        return None
    if name == "return":
        return REASONS["return"] if any(token.value.startswith("$") for token in tokens) else None
    return REASONS.get(name, OPERATOR_REASON)


def raw_output_reason(name: str, tokens: Sequence[Token]) -> str | None:
    """Why this command, inside a subsearch, is refused: it yields a ``search``/``query`` field.

    A subsearch's ``search`` and ``query`` fields are inserted into the outer search as raw SPL, not as
    ``field="value"`` terms, so a subsearch that makes them can make the outer search run any command.
    """
    words = [token.value.lower() for token in tokens if token.kind == WORD]
    produced = {
        following.value.lower()
        for token, following in itertools.pairwise(tokens)
        if token.kind == WORD and token.value.lower() == "as" and following.kind in (WORD, STRING)
    }
    if name == "eval":
        produced.update(value.lower() for value in _assigned(tokens))
    if name in _FIELD_LISTS:
        produced.update(words)
    if name == "rex" and any(_NAMED_GROUP.search(token.value) for token in tokens if token.kind == STRING):
        produced.add("search")
    if name == "spath":
        produced.update(_text(value).lower() for value in named_arguments(tokens, "output"))
    found = sorted(produced & _RAW_FIELDS)
    if not found:
        return None
    return f"makes a '{found[0]}' field in a subsearch, which Splunk pastes into the outer search as raw SPL"


def _assigned(tokens: Sequence[Token]) -> list[str]:
    """Targets of ``eval`` assignments: a word followed by ``=`` at the start or after a comma."""
    targets = []
    for index, token in enumerate(tokens[:-1]):
        starts = index == 0 or (tokens[index - 1].kind == OP and tokens[index - 1].value == ",")
        if starts and token.kind in (WORD, STRING) and tokens[index + 1].kind == OP and tokens[index + 1].value == "=":
            targets.append(token.value)
    return targets


def _text(token: Token | None) -> str:
    if token is None:
        return ""
    return f"[{token.value}]" if token.kind == SUBSEARCH else token.value
