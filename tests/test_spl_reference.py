"""Every example in the SPL reference resource parses on the sandbox engine and is allowed by the policy."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from mcp_splunk.policy import SplPolicy
from mcp_splunk.sandbox.spl import parse_search
from mcp_splunk.tools.jobs import normalize_query

TEXT = resources.files("mcp_splunk").joinpath("reference/spl.md").read_text()
EXAMPLES = re.findall(r"```spl\n(.+?)\n```", TEXT, flags=re.S)


def test_the_reference_has_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_parses_and_is_allowed(example: str) -> None:
    query = normalize_query(example)
    parse_search(query)
    verdict = SplPolicy().check(query)
    assert verdict.allowed, verdict.reason
