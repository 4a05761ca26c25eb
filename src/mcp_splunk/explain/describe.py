"""Each command in plain words, from its arguments; commands without a describer say what the catalogue knows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from mcp_splunk.explain.args import (
    arguments,
    calls,
    clip,
    is_option_token,
    is_word,
    join_keys,
    names,
    option,
    render,
    split_at,
)
from mcp_splunk.policy.aggregates import aggregates
from mcp_splunk.policy.catalogue import READ_ONLY, REFUSED, canonical
from mcp_splunk.policy.fields import as_targets, field_name
from mcp_splunk.policy.walker import Command
from mcp_splunk.spl import OP, STRING, SUBSEARCH, WORD, Token

Tokens = Sequence[Token]
_TERMS_CHARS: Final = 100


def describe(command: Command, spl: str, *, reads_events: bool) -> str:
    """What ``command`` (written ``spl``) does; ``reads_events`` for the first ``search`` of a pipeline that runs
    alone."""
    name = canonical(command.name)
    tokens = command.tokens
    if name.startswith("`"):
        return f"Runs macro {command.name}: its body, known only to the target Splunk, takes the place of the call."
    if name == "search":
        terms = clip(arguments(spl, command.name), _TERMS_CHARS)
        if "<<" in terms and tokens and canonical(tokens[0].value) in READ_ONLY:
            return f"Runs '{terms}' once per field, <<FIELD>> (or <<MATCHSTR>>) replaced by the field's name."
        if not reads_events:
            return f"Keeps only the rows matching {terms}."
        return f"Retrieves the events matching {terms}." if tokens else "Retrieves every event."
    if name == "where":
        return f"Keeps only the rows where {clip(arguments(spl, command.name), _TERMS_CHARS)}."
    describer = _DESCRIBERS.get(name)
    if describer is not None:
        return describer(tokens)
    if name in READ_ONLY:
        return f"'{name}' {READ_ONLY[name]}."
    if name in REFUSED:
        return f"'{name}' {REFUSED[name].reason}; the gateway refuses it unless the operator allows it."
    return f"'{name}' is not a command the gateway knows (an app's command, or a misspelling)."


def _terms(tokens: Tokens) -> str:
    return clip(render(tokens), _TERMS_CHARS)


def _listing(items: Sequence[str], empty: str = "") -> str:
    return ", ".join(items) if items else empty


def _aggregations(tokens: Tokens) -> list[str]:
    """The aggregations as written (``count AS n``, ``avg(bytes)``), options and groups left out."""
    before = split_at(tokens, "by", "over", "where")[0]
    plain = [t for i, t in enumerate(before) if not is_option_token(before, i) and t.value != "="]
    found = calls(plain)
    return [call.text for call in found] if found else aggregates(before)[0]


def _groups(tokens: Tokens) -> list[str]:
    return names(split_at(tokens, "by")[1])


def _stats(tokens: Tokens) -> str:
    by = _groups(tokens)
    per = f" for each {_listing(by)}" if by else " over all rows"
    return f"Replaces the rows with statistics: {_listing(_aggregations(tokens))}{per}."


def _eventstats(tokens: Tokens) -> str:
    by = _groups(tokens)
    per = f" per {_listing(by)}" if by else ""
    return f"Adds {_listing(_aggregations(tokens))}{per} to every row, keeping the rows."


def _streamstats(tokens: Tokens) -> str:
    by = _groups(tokens)
    window = option(tokens, "window")
    over = f" over a window of {window} rows" if window else ""
    per = f" per {_listing(by)}" if by else ""
    return f"Adds running statistics {_listing(_aggregations(tokens))}{per}{over}, row by row."


def _chart(tokens: Tokens) -> str:
    over = names(split_at(split_at(tokens, "over")[1], "by")[0])
    by = _groups(tokens)
    rows, columns = (over, by) if over else (by[:1], by[1:])
    across = f" and a column per value of {_listing(columns)}" if columns else ""
    return f"Builds a table of {_listing(_aggregations(tokens))} with a row per {_listing(rows, 'nothing')}{across}."


def _timechart(tokens: Tokens) -> str:
    by = _groups(tokens)
    span = option(tokens, "span")
    bucket = f"{span} time bucket" if span else "time bucket (span chosen from the time range)"
    split = f", one column per value of {by[0]}" if by else ""
    return f"Computes {_listing(_aggregations(tokens))} per {bucket}{split}."


def _top(tokens: Tokens, which: str = "most") -> str:
    before, by = split_at(tokens, "by")
    limit = option(tokens, "limit") or "10"
    per = f" per {_listing(names(by))}" if by else ""
    return f"Lists the {limit} {which} common values of {_listing(names(before))}{per}, with count and percent."


def _tstats(tokens: Tokens) -> str:
    model = option(tokens, "datamodel")
    source = f"the accelerated data model {model}" if model else "the indexed fields (tsidx files)"
    aggregations = _aggregations([t for t in split_at(tokens, "from")[0]])
    return f"Computes {_listing(aggregations)} from {source}, without reading raw events{_by_clause(_groups(tokens))}."


def _by_clause(by: Sequence[str]) -> str:
    return f", for each {_listing(by)}" if by else ""


def _eval(tokens: Tokens) -> str:
    targets = [
        field_name(token)
        for index, token in enumerate(tokens[:-1])
        if (index == 0 or tokens[index - 1].value == ",") and tokens[index + 1].value == "="
    ]
    return f"Computes the field{'s' if len(targets) > 1 else ''} {_listing(targets, '(none)')} for each row."


def _fields(tokens: Tokens) -> str:
    listed = names(tokens)
    if listed and listed[0] == "-":
        return f"Removes the fields {_listing(listed[1:])}."
    kept = listed[1:] if listed and listed[0] == "+" else listed
    return f"Keeps only the fields {_listing(kept)} (and the internal ones)."


def _table(tokens: Tokens) -> str:
    return f"Shows only the fields {_listing(names(tokens))}, in that order, as a table."


def _rename(tokens: Tokens) -> str:
    pairs = [
        f"{field_name(tokens[i - 1])} to {field_name(tokens[i + 1])}"
        for i in range(1, len(tokens) - 1)
        if is_word(tokens[i], "as")
    ]
    return f"Renames {_listing(pairs)}."


def _sort(tokens: Tokens) -> str:
    words = [t.value for i, t in enumerate(tokens) if t.kind in (WORD, STRING) and not is_option_token(tokens, i)]
    limit = words.pop(0) if words and words[0].isdigit() else option(tokens, "limit")
    keys = " ".join(words).replace("- ", "-").replace("+ ", "+").split()
    plain = [f"{key[1:]} descending" if key.startswith("-") else key.lstrip("+") for key in keys]
    kept = (
        "keeping every row"
        if limit == "0"
        else f"keeping the first {limit}"
        if limit
        else "keeping at most 10,000 rows (give a count, such as sort 0, to keep all)"
    )
    return f"Sorts the rows by {_listing(plain)}, {kept}."


def _head(tokens: Tokens, which: str = "first") -> str:
    count = option(tokens, "limit") or next((t.value for t in tokens if t.value.isdigit()), None)
    if count is None and tokens:
        return f"Keeps rows while {_terms(tokens)} holds."
    return f"Keeps the {which} {_rows(count or '10')}."


def _rows(count: str) -> str:
    return "row" if count == "1" else f"{count} rows"


def _dedup(tokens: Tokens) -> str:
    listed = [name for name in names(tokens) if not name.isdigit()]
    count = next((t.value for t in tokens if t.value.isdigit()), None)
    keep = f"the first {count} rows" if count else "only the first row"
    return f"Keeps {keep} for each distinct {_listing(listed)}, dropping the rest."


def _rex(tokens: Tokens) -> str:
    target = option(tokens, "field") or "_raw"
    if (option(tokens, "mode") or "").lower() == "sed":
        return f"Rewrites {target} with a sed expression."
    groups = [name for token in tokens if token.kind == STRING for name in _named_groups(token.value)]
    return f"Extracts {_listing(groups, 'fields')} from {target} with a regular expression."


def _named_groups(pattern: str) -> list[str]:
    parts = pattern.split("(?<")[1:]
    return [part.split(">", 1)[0] for part in parts if ">" in part]


def _lookup(tokens: Tokens) -> str:
    before, outputs = split_at(tokens, "output", "outputnew")
    listed = names(before)
    table = listed[0] if listed else "?"
    keys = _lookup_keys(listed[1:])
    added = f"the fields {_listing(names(outputs))}" if outputs else "every field of the lookup"
    return f"Adds {added} from lookup {table}, matching on {_listing(keys, 'nothing')}."


def _lookup_keys(listed: Sequence[str]) -> list[str]:
    """``ip AS clientip, user``: the lookup's field, and the rows' field where ``AS`` names it."""
    keys: list[str] = []
    index = 0
    while index < len(listed):
        if index + 2 < len(listed) and listed[index + 1].lower() == "as":
            keys.append(f"{listed[index]} (the rows' {listed[index + 2]})")
            index += 3
        else:
            keys.append(listed[index])
            index += 1
    return keys


def _inputlookup(tokens: Tokens) -> str:
    listed = names(split_at(tokens, "where")[0])
    where = " that match the where clause" if any(is_word(t, "where") for t in tokens) else ""
    return f"Reads the rows of lookup table {listed[0] if listed else '?'}{where}."


def _join(tokens: Tokens) -> str:
    kind = option(tokens, "type") or "inner"
    most = option(tokens, "max")
    matches = "every matching row" if most == "0" else f"up to {most} matching rows" if most else "one matching row"
    keys = _listing(join_keys(tokens), "the fields both sides share")
    return f"Joins each row ({kind} join) with {matches} of its subsearch, on {keys}."


def _transaction(tokens: Tokens) -> str:
    listed = names(tokens)
    by = f" sharing {_listing(listed)}" if listed else ""
    limits = [
        f"{key}={option(tokens, key)}"
        for key in ("maxspan", "maxpause", "startswith", "endswith")
        if option(tokens, key)
    ]
    within = f" ({', '.join(limits)})" if limits else ""
    return f"Groups events{by} into transactions{within}, adding duration and eventcount."


def _makeresults(tokens: Tokens) -> str:
    count = option(tokens, "count") or "1"
    return f"Generates {count} row{'s' if count != '1' else ''} holding only _time."


def _rest(tokens: Tokens) -> str:
    listed = names(tokens)
    return f"Reads the Splunk REST endpoint {listed[0] if listed else '?'} (GET)."


def _metadata(tokens: Tokens) -> str:
    kind = option(tokens, "type") or "hosts"
    return f"Lists the {kind} of the indexes, with event counts and first and last times."


def _bin(tokens: Tokens) -> str:
    span = option(tokens, "span")
    listed = names(tokens)
    return f"Puts {listed[0] if listed else '_time'} into {f'{span} ' if span else ''}buckets."


def _fillnull(tokens: Tokens) -> str:
    listed = names(tokens)
    return f"Fills empty {_listing(listed) if listed else 'fields'} with {option(tokens, 'value') or '0'}."


def _spath(tokens: Tokens) -> str:
    path = option(tokens, "path")
    return f"Extracts fields from JSON or XML{f' at path {path}' if path else ''}."


def _mvexpand(tokens: Tokens) -> str:
    return f"Turns each value of the multivalue field {_listing(names(tokens))} into a row of its own."


def _return(tokens: Tokens) -> str:
    count = next((t.value for t in tokens if t.value.isdigit()), "1")
    listed = [name for name in names(tokens) if not name.isdigit()]
    return f"Returns {_listing(listed)} of the first {_rows(count)} as search terms for the outer search."


def _regex(tokens: Tokens) -> str:
    negated = any(t.kind == OP and t.value == "!=" for t in tokens)
    target = tokens[0].value if len(tokens) > 1 and tokens[1].kind == OP else "_raw"
    return f"Keeps only the rows whose {target} {'does not match' if negated else 'matches'} a regular expression."


def _nested_count(tokens: Tokens, what: str) -> str:
    searches = sum(1 for token in tokens if token.kind == SUBSEARCH)
    return f"Combines the rows of {searches} {what}."


def _datamodel(tokens: Tokens) -> str:
    listed = names(tokens)
    dataset = f" dataset {listed[1]}" if len(listed) > 1 else ""
    return f"Searches the events of data model {listed[0] if listed else '?'}{dataset}."


def _from(tokens: Tokens) -> str:
    listed = names(tokens)
    return f"Reads the rows of dataset {listed[0] if listed else '?'}."


_DESCRIBERS: Final[Mapping[str, Callable[[Tokens], str]]] = {
    "stats": _stats,
    "sistats": _stats,
    "eventstats": _eventstats,
    "streamstats": _streamstats,
    "chart": _chart,
    "timechart": _timechart,
    "top": _top,
    "rare": lambda tokens: _top(tokens, "least"),
    "tstats": _tstats,
    "mstats": lambda tokens: f"Computes {_listing(_aggregations(tokens))} over metric data points.",
    "geostats": lambda tokens: f"Computes {_listing(_aggregations(tokens))} per geographic bin, for a map.",
    "eval": _eval,
    "fields": _fields,
    "table": _table,
    "rename": _rename,
    "sort": _sort,
    "head": _head,
    "tail": lambda tokens: _head(tokens, "last"),
    "dedup": _dedup,
    "rex": _rex,
    "lookup": _lookup,
    "inputlookup": _inputlookup,
    "join": _join,
    "append": lambda tokens: "Adds the rows of its subsearch after the current rows.",
    "appendcols": lambda tokens: "Adds the columns of its subsearch's rows to the current rows, row by row.",
    "appendpipe": lambda tokens: "Runs its body over the current rows and adds the body's output after them.",
    "union": lambda tokens: _nested_count(tokens, "datasets or searches"),
    "multisearch": lambda tokens: _nested_count(tokens, "event searches, run at the same time"),
    "set": lambda tokens: f"Computes the {names(tokens)[0] if names(tokens) else 'combination'} of its subsearches.",
    "map": lambda tokens: f"Runs its search once per input row (at most {option(tokens, 'maxsearches') or 10}).",
    "foreach": lambda tokens: f"Runs its template once per field matching {_listing(names(tokens))}.",
    "transaction": _transaction,
    "makeresults": _makeresults,
    "rest": _rest,
    "metadata": _metadata,
    "eventcount": lambda tokens: "Counts the events of each index, from index metadata.",
    "bin": _bin,
    "fillnull": _fillnull,
    "spath": _spath,
    "mvexpand": _mvexpand,
    "return": _return,
    "format": lambda tokens: "Turns the rows into one search string: field=value terms, rows OR-ed.",
    "regex": _regex,
    "datamodel": _datamodel,
    "from": _from,
    "loadjob": lambda tokens: (
        f"Reads the stored results of {option(tokens, 'savedsearch') or _listing(names(tokens))}."
    ),
    "iplocation": lambda tokens: (
        f"Adds City, Country and location fields for the IP addresses in {_listing(names(tokens))}."
    ),
    "convert": lambda tokens: f"Converts field values for display: {_terms(tokens)}.",
    "fieldformat": lambda tokens: (
        f"Sets how {_listing(as_targets(tokens) or names(tokens)[:1])} is displayed, not its value."
    ),
    "addtotals": lambda tokens: "Adds a Total field summing each row's numeric fields.",
    "xyseries": lambda tokens: (
        f"Pivots the rows: {_listing(names(tokens)[:1])} down the side, a column per value of the second field."
    ),
    "transpose": lambda tokens: "Swaps rows and columns.",
    "predict": lambda tokens: f"Forecasts future values of {_listing(names(tokens)[:1])}.",
    "typer": lambda tokens: "Adds the event types each event matches.",
    "tags": lambda tokens: "Adds the tags defined for the rows' field values.",
}
