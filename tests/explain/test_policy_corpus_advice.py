"""No false warnings: every search the policy corpus holds as benign gets exactly the warnings listed here.

The corpus is the policy's (``BENIGN`` and ``EVERYDAY``); the searches run over run_search's default window
(-24h), as ``explain_spl`` explains them when no time is given. Most get no warning; each listed one is what an
expert would say of it.
"""

from __future__ import annotations

import pytest

from mcp_splunk.explain import explain
from mcp_splunk.tools.jobs import normalize_query
from tests.policy.test_policy_corpus import BENIGN, EVERYDAY

CORPUS = {**BENIGN, **EVERYDAY}

EXPECTED: dict[str, list[str]] = {
    # no index: the role's default indexes are searched
    "search command with term": ["no-index"],
    "explicit search of a term": ["no-index"],
    "field named script": ["no-index"],
    "bracket comparing script": ["no-index"],
    # the terms of a | search right after the base search belong in it
    "search for a pipe phrase": ["filter-late"],
    # every term and by-field is indexed: tstats answers without raw events
    "stats renamed as delete": ["tstats"],
    "comment mentions delete": ["tstats"],
    "append stats": ["tstats"],
    "append two stats": ["tstats", "tstats"],
    "appendcols": ["tstats", "tstats"],
    "bin and stats": ["tstats"],
    "convert ctime": ["tstats"],
    "appendpipe totals": ["tstats"],
    "search after stats": ["tstats", "search-after-stats"],
    "from datamodel": ["accelerated-datamodel"],
    "datamodel search": ["accelerated-datamodel"],
    # joins and transactions
    "join inputlookup": ["join-lookup"],
    "join max": ["join-lookup"],
    "join on subsearch": ["join"],
    "transaction": ["transaction"],
    "transaction with stats": ["transaction"],
    # events arrive newest first already
    "dedup sort head": ["sort-time"],
}


def test_every_listed_search_is_in_the_corpus() -> None:
    assert set(EXPECTED) <= set(CORPUS)


@pytest.mark.parametrize(("name", "query"), CORPUS.items(), ids=CORPUS.keys())
def test_benign_corpus_search_gets_exactly_the_expected_warnings(name: str, query: str) -> None:
    explanation = explain(normalize_query(query), earliest="-24h", latest="now")
    assert sorted(explanation.codes) == sorted(EXPECTED.get(name, []))


def test_most_benign_searches_get_no_warning() -> None:
    assert len(EXPECTED) * 3 < len(CORPUS)
