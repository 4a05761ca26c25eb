"""Which fields a pipeline's rows can carry: a known set of names, or names the data chooses too.

Splunk turns a subsearch's rows into search text: each field becomes ``name="value"``, except ``search`` and
``query``, whose values are pasted in raw. So a subsearch is safe only when its field names are fixed by the
query's own text and none is ``search`` or ``query`` (unless ``return`` or ``format`` made it, which quote).
This module follows the names through a pipeline, command by command. Every command it does not model is
assumed to let the data name fields (``open``): the safe mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from mcp_splunk.policy.aggregates import chart, stats, stats_keeping, timechart, top
from mcp_splunk.policy.catalogue import canonical
from mcp_splunk.policy.fields import EMPTY, OPEN, Fields, as_targets, field_name, name_tokens
from mcp_splunk.policy.walker import Command, Pipeline, named_arguments
from mcp_splunk.spl import OP, STRING, WORD, Token


class Observer:
    """Told of each command with the fields entering it, and of each pipeline with the fields it ends with."""

    def command(self, command: Command, fields: Fields) -> None:
        """Before ``command`` runs on rows with ``fields``."""

    def end(self, pipeline: Pipeline, fields: Fields) -> None:
        """After the last command of ``pipeline``."""


# Commands that keep every field and add at most the targets of their ``as`` clauses.
_KEEPS: Final = frozenset(
    {
        "abstract", "accum", "autoregress", "bin", "convert", "dedup", "delta", "fieldformat", "filldown", "head",
        "highlight", "iconify", "localop", "makemv", "mvcombine", "mvexpand", "nomv", "redistribute", "regex",
        "replace", "require", "reverse", "rtorder", "scrub", "search", "sort", "tail", "trendline", "uniq",
        "where", "xmlunescape",
    }
)  # fmt: skip
# Commands that keep every field and add ones with fixed names.
_ADDS: Final[Mapping[str, tuple[str, ...]]] = {
    "addinfo": ("info_min_time", "info_max_time", "info_sid", "info_search_time"),
    "addtotals": ("Total",),
    "concurrency": ("concurrency",),
    "rangemap": ("range",),
    "reltime": ("reltime",),
    "transaction": ("duration", "eventcount", "closed_txn", "field_match_sum", "linecount"),
    "typer": ("eventtype",),
}
# Generating commands with a fixed set of output names.
_GENERATES: Final[Mapping[str, tuple[str, ...]]] = {
    "eventcount": ("count", "index", "server"),
    "gentimes": ("starttime", "endtime", "starthuman", "endhuman"),
    "metadata": ("firstTime", "lastTime", "recentTime", "totalCount", "type", "host", "source", "sourcetype"),
}
_STATS_LIKE: Final = frozenset({"stats", "tstats", "mstats"})
_STATS_KEEPING: Final = frozenset({"eventstats", "streamstats"})
_COMBINING: Final = frozenset({"append", "appendcols", "join", "union", "multisearch", "set"})
_GROUP_RE: Final = re.compile(r"\(\?P?<([^>]+)>")
_DYNAMIC_GROUP: Final = re.compile(r"^_(KEY|VAL)_", re.IGNORECASE)
_EACH_FIELD: Final = frozenset({"<<FIELD>>", "'<<FIELD>>'"})
_NOBODY: Final = Observer()


def flow(pipeline: Pipeline, start: Fields = OPEN, observer: Observer = _NOBODY) -> Fields:
    """The fields of ``pipeline``'s rows, given the fields entering it; every nested pipeline is followed too."""
    fields = start
    for position, command in enumerate(pipeline.commands):
        observer.command(command, fields)
        fields = _step(
            command, fields, first=position == 0 and pipeline.role not in ("body", "template"), observer=observer
        )
    observer.end(pipeline, fields)
    return fields


def _step(command: Command, fields: Fields, *, first: bool, observer: Observer) -> Fields:
    name = canonical(command.name)
    if name in _COMBINING:
        combined = EMPTY if first else fields
        for nested in command.pipelines:
            combined = combined.union(flow(nested, OPEN, observer))
        return combined
    if name in ("appendpipe", "foreach"):
        outputs = [flow(nested, fields, observer) for nested in command.pipelines]
        if name == "foreach":
            return _foreach(fields, command)
        for output in outputs:
            fields = fields.union(output)
        return fields
    for nested in command.pipelines:  # subsearches and map templates: rows of their own
        flow(nested, OPEN, observer)
    return _fields_after(name, command.tokens, fields, first=first)


def _fields_after(name: str, tokens: Sequence[Token], fields: Fields, *, first: bool) -> Fields:
    if first and name == "search":
        return OPEN  # events: their fields come from the data
    if first and name in _GENERATES:
        return Fields(frozenset(_GENERATES[name]), open=False)
    if first and name == "makeresults":
        plain = not named_arguments(tokens, "format") and not named_arguments(tokens, "data")
        return Fields(frozenset({"_time"}), open=not plain)
    if name in _KEEPS:
        return fields.add(as_targets(tokens))
    if name in _ADDS:
        return fields.add(_ADDS[name]).add(as_targets(tokens))
    step = _STEPS.get(name)
    return step(fields, tokens) if step is not None else OPEN


def _foreach(fields: Fields, command: Command) -> Fields:
    """Its body's eval assignments: to ``<<FIELD>>`` itself keeps the names, to a literal name adds it, to any
    other template (``<<MATCHSTR>>``, ``x_<<FIELD>>``) makes names from names, which this does not follow."""
    targets: list[str] = []
    for nested in command.pipelines:
        for inner in nested.commands:
            if canonical(inner.name) != "eval":
                return OPEN
            for target in _eval_targets(inner.tokens):
                if target in _EACH_FIELD:
                    continue
                if "<<" in target or "{" in target:
                    return OPEN
                targets.append(target)
    return fields.add(targets)


def _pattern(name: str) -> re.Pattern[str] | None:
    """A field-name wildcard as a regex (case-sensitive, as Splunk matches names); None for a plain name."""
    if "*" not in name:
        return None
    return re.compile("(.*)".join(re.escape(part) for part in name.split("*")), re.DOTALL)


def _keep(fields: Fields, names: Sequence[str]) -> Fields:
    """``fields a b*``/``table a b*``: only the names listed, wildcards matched against what is known."""
    kept: set[str] = set()
    data_named = False
    for name in names:
        pattern = _pattern(name)
        if pattern is None:
            kept.add(name)
            continue
        kept.update(known for known in fields.names if pattern.fullmatch(known))
        data_named = data_named or fields.open
    return Fields(frozenset(kept), data_named, fields.quoted & frozenset(kept))


def _fields(fields: Fields, tokens: Sequence[Token]) -> Fields:
    names = [field_name(token) for token in name_tokens(tokens)]
    if names and names[0] in ("-", "+"):
        if names[0] == "-":
            dropped = {name for name in names[1:] if _pattern(name) is None}
            patterns = [p for name in names[1:] if (p := _pattern(name)) is not None]
            kept = {n for n in fields.names if n not in dropped and not any(p.fullmatch(n) for p in patterns)}
            return Fields(frozenset(kept), fields.open, fields.quoted & frozenset(kept))
        names = names[1:]
    return _keep(fields, names)


def _table(fields: Fields, tokens: Sequence[Token]) -> Fields:
    return _keep(fields, [field_name(token) for token in name_tokens(tokens)])


def _rename(fields: Fields, tokens: Sequence[Token]) -> Fields:
    names = set(fields.names)
    quoted = set(fields.quoted)
    data_named = fields.open
    for index in range(len(tokens) - 2):
        source, keyword, target = tokens[index], tokens[index + 1], tokens[index + 2]
        if keyword.kind != WORD or keyword.value.lower() != "as" or source.kind not in (WORD, STRING):
            continue
        old, new = field_name(source), field_name(target)
        pattern = _pattern(old)
        if pattern is None:
            moved = {old: new} if old in names or fields.open else {}
        else:
            moved = {n: _substitute(new, m.groups()) for n in names if (m := pattern.fullmatch(n))}
            data_named = data_named or (fields.open and "*" in new)
        for before, after in moved.items():
            names.discard(before)
            quoted.discard(before)
            names.add(after)
    return Fields(frozenset(names), data_named, frozenset(quoted))


def _substitute(template: str, parts: Sequence[str]) -> str:
    pieces = template.split("*")
    return "".join(piece + (parts[i] if i < len(parts) else "") for i, piece in enumerate(pieces[:-1])) + pieces[-1]


def _eval_targets(tokens: Sequence[Token]) -> list[str]:
    """Targets of ``eval`` assignments: a name followed by ``=`` at the start or after a comma."""
    targets: list[str] = []
    for index, token in enumerate(tokens[:-1]):
        starts = index == 0 or (tokens[index - 1].kind == OP and tokens[index - 1].value == ",")
        following = tokens[index + 1]
        if starts and token.kind in (WORD, STRING) and following.kind == OP and following.value == "=":
            targets.append(field_name(token))
    return targets


def _eval(fields: Fields, tokens: Sequence[Token]) -> Fields:
    targets = _eval_targets(tokens)
    if any("{" in target or "<<" in target for target in targets):
        return OPEN  # eval {field}=... names a field after a value
    return fields.add(targets)


def _rex(fields: Fields, tokens: Sequence[Token]) -> Fields:
    if any(value is not None and value.value.lower() == "sed" for value in named_arguments(tokens, "mode")):
        return fields
    groups = [group for token in tokens if token.kind == STRING for group in _GROUP_RE.findall(token.value)]
    if any(_DYNAMIC_GROUP.match(group) for group in groups):
        return OPEN  # _KEY_n/_VAL_n groups name fields after the matched text
    offsets = [field_name(value) for value in named_arguments(tokens, "offset_field") if value is not None]
    return fields.add(groups + offsets)


def _spath(fields: Fields, tokens: Sequence[Token]) -> Fields:
    outputs = [field_name(value) for value in named_arguments(tokens, "output") if value is not None]
    paths = [field_name(value) for value in named_arguments(tokens, "path") if value is not None]
    positional = [token for token in name_tokens(tokens)]
    if outputs:
        return fields.add(outputs)
    if paths or positional:
        return fields.add(paths + [field_name(token) for token in positional])
    return OPEN  # every key of the JSON becomes a field


def _lookup(fields: Fields, tokens: Sequence[Token]) -> Fields:
    words = [token for token in tokens if token.kind in (WORD, STRING)]
    for index, token in enumerate(words):
        if token.kind == WORD and token.value.upper() in ("OUTPUT", "OUTPUTNEW"):
            return fields.add(_output_names(words[index + 1 :]))
    return OPEN  # without OUTPUT, every column of the lookup


def _output_names(words: Sequence[Token]) -> list[str]:
    """``a AS b, c`` after OUTPUT: the names the rows get (``b`` and ``c``)."""
    names: list[str] = []
    index = 0
    while index < len(words):
        if index + 2 < len(words) and words[index + 1].value.lower() == "as":
            names.append(field_name(words[index + 2]))
            index += 3
        else:
            names.append(field_name(words[index]))
            index += 1
    return names


def _untable(fields: Fields, tokens: Sequence[Token]) -> Fields:
    names = [field_name(token) for token in name_tokens(tokens)]
    return Fields(frozenset(names), open=len(names) != 3)


def _return(fields: Fields, tokens: Sequence[Token]) -> Fields:
    return Fields(frozenset({"search"}), open=False, quoted=frozenset({"search"}))


def _format(fields: Fields, tokens: Sequence[Token]) -> Fields:
    """Its ``search`` field quotes values, but writes the input's field names as they are."""
    if fields.open or fields.raw():
        return Fields(frozenset({"search"}), open=fields.open)
    return _return(fields, tokens)


def _strcat(fields: Fields, tokens: Sequence[Token]) -> Fields:
    words = name_tokens(tokens)
    return fields.add([field_name(words[-1])]) if words else fields


def _fillnull(fields: Fields, tokens: Sequence[Token]) -> Fields:
    return fields.add(field_name(token) for token in name_tokens(tokens))


Step = Callable[[Fields, Sequence[Token]], Fields]
_STEPS: Final[Mapping[str, Step]] = {
    "chart": chart,
    "eval": _eval,
    "fields": _fields,
    "fillnull": _fillnull,
    "format": _format,
    "lookup": _lookup,
    "rare": top,
    "rename": _rename,
    "return": _return,
    "rex": _rex,
    "spath": _spath,
    "strcat": _strcat,
    "table": _table,
    "timechart": timechart,
    "top": top,
    "untable": _untable,
    **dict.fromkeys(_STATS_LIKE, stats),
    **dict.fromkeys(_STATS_KEEPING, stats_keeping),
}
