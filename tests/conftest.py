from __future__ import annotations

from collections.abc import Iterator

import pytest

from mcp_splunk.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One sample-data sandbox for the whole run; tests that change its state use names of their own."""
    with Sandbox() as running:
        yield running
