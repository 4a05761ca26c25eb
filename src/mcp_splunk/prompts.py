"""Prompts: investigation plans an agent can follow, each built on the gateway's own tools.

Arguments are validated the way tool arguments are (an index name cannot carry SPL, a timeframe must be a Splunk
time modifier), and quoted where they land in SPL.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, get_type_hints

from fastmcp import FastMCP
from fastmcp.exceptions import PromptError
from pydantic import Field

from mcp_splunk.spl.timemod import TimeModifierError, resolve_time
from mcp_splunk.tools.spl_args import quote

_INDEX = re.compile(r"^[A-Za-z0-9_*][A-Za-z0-9_\-*]{0,79}$")
IndexArg = Annotated[str, Field(description="An index you may search, e.g. 'web' (see list_indexes).")]
TimeframeArg = Annotated[str, Field(description="How far back to look, as a Splunk time modifier: -1h, -24h, -7d.")]


def _index(value: str) -> str:
    if not _INDEX.match(value):
        raise PromptError(f"'{value[:40]}' is not an index name: use letters, digits, '_' and '-'.")
    return value


def _timeframe(value: str) -> str:
    try:
        resolve_time(value, time.time())
    except TimeModifierError:
        raise PromptError(f"'{value[:40]}' is not a Splunk time modifier: use e.g. -1h, -24h or -7d.") from None
    return value


def investigate_errors(
    index: IndexArg = "main",
    timeframe: TimeframeArg = "-24h",
    sourcetype: Annotated[str, Field(description="Optionally, one source type to focus on.")] = "",
) -> str:
    idx, since = quote(_index(index)), _timeframe(timeframe)
    focus = f" sourcetype={quote(sourcetype)}" if sourcetype else ""
    scope = f"index {idx}" + (f", source type {quote(sourcetype)}" if sourcetype else "")
    return f"""Investigate errors in {scope} over the window {since} .. now.

1. Call get_index_info with name {idx} to confirm the index exists and holds recent data.
2. Call list_sourcetypes with index {idx} and earliest_time "{since}" to see what kinds of data it holds.
3. Measure the errors per source type and host with run_search:
   index={idx}{focus} (level=ERROR OR log_level=ERROR OR status>=500) | stats count by sourcetype, host
   with earliest_time "{since}". Use the field that fits each source type (level for JSON application logs,
   log_level for splunkd, status for web access logs).
4. Find when they happened: index={idx}{focus} (level=ERROR OR log_level=ERROR OR status>=500) | timechart count
   Look for a spike and narrow earliest_time/latest_time around it.
5. Find the most frequent messages in the spike: add | top limit=10 message (or uri for web logs).
6. Report: what failed, since when, where (hosts, services, endpoints), how often, and the evidence (the SPL
   you ran and its sid). Page with get_search_results rather than re-running searches."""


def triage_failed_logins(timeframe: TimeframeArg = "-24h") -> str:
    since = _timeframe(timeframe)
    return f"""Triage failed logins over the window {since} .. now.

1. Call list_fired_alerts to see whether the "Failed logins by source" alert has fired, and when.
2. Count failures by source address and target user with run_search:
   index=security sourcetype=linux_secure "Failed password" | stats count, dc(user) as users, values(user) as
   tried_users by src | sort - count   (earliest_time "{since}").
3. For the top sources, check whether any of them also logged in successfully:
   index=security sourcetype=linux_secure "Accepted" | stats count by src, user
4. Enrich the sources and targets with the asset inventory: read_lookup assets_lookup, or
   query_kvstore on the "assets" collection, to see owners and criticality of the hosts involved.
5. Report each suspicious source: attempts, users tried, hosts targeted, time span, whether a login succeeded,
   and a recommended action. Cite the SPL and sids."""


def explore_index(index: IndexArg) -> str:
    idx = quote(_index(index))
    return f"""Explore index {idx} and describe what it contains.

1. get_index_info with name {idx}: event count, size, oldest and newest event.
2. list_sourcetypes, list_hosts and list_sources with index {idx}: the shape of the data and its volumes.
3. Look at a few raw events per source type with run_search:
   index={idx} | dedup sourcetype | table _time, sourcetype, host, source, _raw
4. For each source type, find its most useful fields: index={idx} sourcetype=<type> | head 200 | stats dc(*) as *
   (or look at a handful of events) and name the fields an analyst would filter or group on.
5. Suggest three useful searches for this index, each validated with validate_spl."""


def write_spl(question: Annotated[str, Field(description="The question to answer with Splunk data.")]) -> str:
    if not question.strip():
        raise PromptError("Ask a question, e.g. 'Which hosts served the most 5xx errors today?'")
    return f"""Write an SPL search that answers: {question.strip()[:2000]}

1. Read the resource splunk://spl-reference for the commands and functions available.
2. Find the data: list_indexes, then list_sourcetypes / list_hosts for the likely index, and look at a few
   events with run_search (index=<index> sourcetype=<type> | head 5) to learn the field names.
3. Draft the search. Start with index= and sourcetype= terms and a time range; filter early; aggregate with
   stats, timechart or top; sort and limit the output.
4. Call validate_spl on the draft: it must be allowed and parse on the target.
5. Run it with run_search (set earliest_time to the window the question implies) and check the answer makes
   sense; refine once if not.
6. Answer with the result, the final SPL and the sid."""


@dataclass(frozen=True, slots=True)
class PromptSpec:
    name: str
    title: str
    description: str
    render: Callable[..., str]


PROMPTS: tuple[PromptSpec, ...] = (
    PromptSpec(
        "investigate_errors",
        "Investigate errors",
        "A plan to find, time and explain errors in an index over a time window.",
        investigate_errors,
    ),
    PromptSpec(
        "triage_failed_logins",
        "Triage failed logins",
        "A plan to triage SSH brute-force and failed logins, enriched with the asset inventory.",
        triage_failed_logins,
    ),
    PromptSpec(
        "explore_index",
        "Explore an index",
        "A plan to learn what an index holds: source types, hosts, fields and useful searches.",
        explore_index,
    ),
    PromptSpec(
        "write_spl",
        "Write SPL for a question",
        "A plan to turn a question into a validated SPL search and answer it.",
        write_spl,
    ),
)


def register_prompts(mcp: FastMCP) -> None:
    for spec in PROMPTS:
        # FastMCP resolves argument types without this module's names, so hand it resolved annotations.
        spec.render.__annotations__ = get_type_hints(spec.render, include_extras=True)
        mcp.prompt(spec.render, name=spec.name, title=spec.title, description=spec.description)
