"""``find_data_source``: from keywords and field names to a ranked shortlist of index/sourcetype pairs.

Everything runs under the caller's Splunk identity, so Splunk's role filter decides which pairs exist for them: an
inventory by ``| tstats count where index=* by index, sourcetype`` (indexed fields only, cheap), then a small
``| head N | fieldsummary`` sample of the most promising pairs. Cost is bounded by the number of pairs sampled and
the sample size; the result says both. Scoring is plain arithmetic over words, so equal inputs rank equally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mcp_splunk.errors import GatewayError, InvalidArgument
from mcp_splunk.splunk import operations as ops
from mcp_splunk.tools.base import BaseTool, ToolOutput, read_only
from mcp_splunk.tools.field_summary import Summary, summarise, summary_query
from mcp_splunk.tools.listing import integer
from mcp_splunk.tools.outputs.data_sources import DataSourceSearch
from mcp_splunk.tools.spl_args import term
from mcp_splunk.tools.splunk_client import SplunkClient

INVENTORY = "| tstats count where index=* by index, sourcetype"
NAME_POINTS, FIELD_POINTS, REQUESTED_POINTS, PARTIAL_POINTS = 3, 2, 5, 2
COMMON_SHARE = 0.1  # a value in at least this share of the sample counts double
_SAMPLE_VALUES = 10  # top values per field read from each sample
_CONCURRENT_SAMPLES = 4
_LISTED_FIELDS = 30
_SHOWN_VALUE = 120  # characters of a matched value quoted in a reason
# Fields every event has: their names say nothing about what the data is (their values still may, e.g. host).
_DEFAULT_FIELDS = frozenset(
    ("host", "index", "linecount", "punct", "source", "sourcetype", "splunk_server", "timeendpos", "timestartpos")
)
# Fields whose values repeat the pair's own names, already scored as names.
_NAMES_AGAIN = frozenset(("index", "sourcetype", "splunk_server"))
_STOP_WORDS = frozenset(
    {"a", "an", "and", "any", "all", "are", "at", "by", "data", "event", "events", "for", "from", "in", "is"}
    | {"log", "logs", "of", "on", "or", "records", "show", "the", "to", "with"}
)
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ures", "ure", "ing", "ed", "es", "s")

FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:{}\-]{0,99}$")]


def words(text: str) -> list[str]:
    """Lower-case words: letters and digits, split at anything else (``linux_secure`` is linux, secure)."""
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A crude stem (failed, failure -> fail; logins -> login) that keeps at least three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def keyword_terms(text: str | None) -> list[str]:
    return list(dict.fromkeys(w for w in words(text or "") if w not in _STOP_WORDS and len(w) > 1))


def term_matches(keyword: str, candidates: Iterable[str]) -> str | None:
    """The first word of ``candidates`` the keyword matches: same stem, or it starts with the keyword's stem."""
    root = stem(keyword)
    for word in candidates:
        if stem(word) == root or (len(root) >= 3 and word.startswith(root)):
            return word
    return None


@dataclass(slots=True)
class Candidate:
    index: str
    sourcetype: str
    event_count: int
    reasons: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(int(r["points"]) for r in self.reasons)

    def add(self, kind: str, keyword: str, matched: str, points: int, field_name: str | None = None) -> None:
        self.reasons.append({"kind": kind, "term": keyword, "matched": matched, "field": field_name, "points": points})

    def rank_key(self) -> tuple[int, int, str, str]:
        return (-self.score, -self.event_count, self.index, self.sourcetype)


def score_names(candidate: Candidate, terms: list[str]) -> None:
    for kind, name in (("index", candidate.index), ("sourcetype", candidate.sourcetype)):
        for keyword in terms:
            if term_matches(keyword, words(name)):
                candidate.add(kind, keyword, name, NAME_POINTS)


def score_sample(candidate: Candidate, terms: list[str], requested: list[str], sample: Summary) -> None:
    """Points from the sample: keywords in field names and common values, and the fields asked for."""
    named = [f for f in sample.fields if f["field"] not in _DEFAULT_FIELDS]
    candidate.fields = [f["field"] for f in named[:_LISTED_FIELDS]]
    for keyword in terms:
        hit = next((f["field"] for f in named if term_matches(keyword, words(f["field"]))), None)
        if hit is not None:
            candidate.add("field", keyword, hit, FIELD_POINTS)
        if (value := _best_value(keyword, sample)) is not None:
            name, text, share = value
            candidate.add("value", keyword, text[:_SHOWN_VALUE], 2 if share >= COMMON_SHARE else 1, name)
    by_lower = {f["field"].lower(): f["field"] for f in sample.fields}
    for wanted in requested:
        if (exact := by_lower.get(wanted.lower())) is not None:
            candidate.add("requested_field", wanted, exact, REQUESTED_POINTS)
        elif (near := _sharing_a_word(wanted, named)) is not None:
            candidate.add("requested_field", wanted, near, PARTIAL_POINTS)


def _best_value(keyword: str, sample: Summary) -> tuple[str, str, float] | None:
    """(field, value, share of the sample) of the commonest top value holding the keyword."""
    best: tuple[str, str, float] | None = None
    for stats in sample.fields:
        if stats["field"] in _NAMES_AGAIN:
            continue
        for item in stats["top_values"]:
            share = item["count"] / sample.events if sample.events else 0.0
            if (best is None or share > best[2]) and term_matches(keyword, words(item["value"][:200])):
                best = (stats["field"], item["value"], share)
    return best


def _sharing_a_word(wanted: str, fields: list[dict[str, Any]]) -> str | None:
    """A field whose name shares a word of two letters or more with ``wanted`` (src for src_ip)."""
    parts = {w for w in words(wanted) if len(w) > 1}
    return next((f["field"] for f in fields if parts & set(words(f["field"]))), None)


class FindDataSourceParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keywords: str | None = Field(
        None,
        max_length=300,
        description="What you are looking for in plain words, e.g. 'failed ssh logins' or 'web access'.",
    )
    fields: list[FieldName] | None = Field(
        None, max_length=20, description="Field names the data should have, e.g. ['src_ip', 'user']."
    )
    earliest_time: str = Field(
        "-24h", max_length=100, description="Start of the time range looked at. Default -24h (kept short: cost)."
    )
    latest_time: str = Field("now", max_length=100, description="End of the time range. Default now.")
    max_pairs: int = Field(
        8,
        ge=1,
        le=25,
        description="Sample at most this many index/sourcetype pairs (one small search each). Default 8.",
    )
    sample_events: int = Field(
        500, ge=10, le=5_000, description="Newest events read from each sampled pair. Default 500."
    )
    limit: int = Field(5, ge=1, le=25, description="Candidates to return at most. Default 5.")


class FindDataSource(BaseTool):
    name = "find_data_source"
    title = "Find where data of a kind lives"
    description = (
        "A ranked shortlist of the index/sourcetype pairs you may search that hold what you describe (keywords such "
        "as 'failed ssh logins') or have the fields you name (such as src_ip), each with why it matches and a search "
        "to start from. Steps: count events by index and sourcetype in the time range (tstats, default -24h); rank the "
        "pairs by their names; sample the newest events of the best max_pairs with fieldsummary. Scoring, "
        "deterministic: +3 per keyword in the index or sourcetype name; +2 per keyword in a field name; +1 per "
        "keyword in a common value of the sample (+2 if that value is in 10% of the events or more); +5 per named "
        "field present (+2 if only a field sharing a word with it is); a keyword matches a word with the same stem "
        "or starting with it. Ties go to the pair with more events. Follow up with get_field_summary."
    )
    annotations = read_only()
    Params = FindDataSourceParams
    Result = DataSourceSearch

    async def execute(self, params: FindDataSourceParams) -> ToolOutput:
        terms = keyword_terms(params.keywords)
        requested = list(dict.fromkeys(params.fields or ()))
        if not terms and not requested:
            raise InvalidArgument(
                "Say what to look for: give 'keywords' (e.g. 'failed ssh logins'; words such as 'logs' or 'the' do "
                "not count) or 'fields' (e.g. ['src_ip'])."
            )
        earliest, latest = params.earliest_time, params.latest_time
        splunk = await self.get_splunk_service()
        inventory = await splunk.run(
            ops.oneshot,
            await self.deps.guard.require(splunk, INVENTORY, earliest, latest),
            earliest_time=earliest,
            latest_time=latest,
            count=0,
        )
        candidates = [
            Candidate(str(row["index"]), str(row["sourcetype"]), integer(row.get("count")) or 0)
            for row in inventory.rows
            if row.get("index") and row.get("sourcetype")
        ]
        for candidate in candidates:
            score_names(candidate, terms)
        candidates.sort(key=Candidate.rank_key)
        examined = candidates[: params.max_pairs]
        samples = await self._samples(splunk, examined, params)
        failed = []
        for candidate, found in zip(examined, samples, strict=True):
            if isinstance(found, Summary):
                score_sample(candidate, terms, requested, found)
            else:
                failed.append(f"{candidate.index}/{candidate.sourcetype}: {found.message}")
        ranked = sorted((c for c in candidates if c.score > 0), key=Candidate.rank_key)[: params.limit]
        notes = [
            f"Looked at {earliest} to {latest}, indexes you may search (internal ones left out).",
            f"Sampled the newest {params.sample_events} events of {len(examined)} of {len(candidates)} pairs, chosen "
            "by name match, then by event count; the others were scored on their names only.",
        ]
        if failed:
            notes.append("Could not sample (scored on names only): " + "; ".join(failed))
        if not ranked:
            notes.append("Nothing matched: try other words, field names, a longer time range or a larger max_pairs.")
        return ToolOutput(
            {
                "keywords": terms,
                "fields": requested,
                "earliest_time": earliest,
                "latest_time": latest,
                "pairs_found": len(candidates),
                "pairs_examined": len(examined),
                "sample_events": params.sample_events,
                "candidates": [_shown(c) for c in ranked],
                "notes": notes,
            }
        )

    async def _samples(
        self, splunk: SplunkClient, pairs: list[Candidate], params: FindDataSourceParams
    ) -> list[Summary | GatewayError]:
        """A fieldsummary sample of each pair, a few at a time; a pair whose search fails gets its error."""
        found: list[Summary | GatewayError] = [GatewayError("not sampled")] * len(pairs)
        limiter = anyio.CapacityLimiter(_CONCURRENT_SAMPLES)

        async def sample(position: int, pair: Candidate) -> None:
            query = summary_query(pair.index, pair.sourcetype, params.sample_events, _SAMPLE_VALUES)
            async with limiter:
                try:
                    found[position] = await summarise(
                        splunk, self.deps.guard, query, earliest=params.earliest_time, latest=params.latest_time
                    )
                except GatewayError as exc:  # one unreadable pair must not sink the others
                    found[position] = exc

        async with anyio.create_task_group() as group:
            for position, pair in enumerate(pairs):
                group.start_soon(sample, position, pair)
        return found


def _shown(candidate: Candidate) -> dict[str, Any]:
    return {
        "index": candidate.index,
        "sourcetype": candidate.sourcetype,
        "score": candidate.score,
        "event_count": candidate.event_count,
        "reasons": candidate.reasons,
        "fields": candidate.fields,
        "search": f"search {term('index', candidate.index)} {term('sourcetype', candidate.sourcetype)}",
    }


TOOLS: tuple[type[BaseTool], ...] = (FindDataSource,)
