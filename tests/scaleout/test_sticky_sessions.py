"""The documented fallback for stateful (handshake-era) sessions: haproxy pins each Mcp-Session-Id to its replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mcp_splunk.sandbox import Sandbox
from tests.scaleout.conftest import Replicas, replicas
from tests.support import ANALYST, RawSession, structured


@pytest.fixture
def sticky(sandbox: Sandbox, tmp_path: Path) -> Iterator[Replicas]:
    with replicas(sandbox, tmp_path, backend="sticky", stateless=False, trusted_proxies="127.0.0.1") as running:
        yield running


async def test_a_stateful_session_keeps_its_replica_and_starts_over_when_that_replica_dies(sticky: Replicas) -> None:
    with httpx.Client(timeout=30) as http:
        session = RawSession(http, sticky.url)
        session.initialize(ANALYST)
        # Header-less follow-ups carry the identity bound in the issuing replica's memory: answered as the analyst
        # only if every one of them reached that replica.
        names = [structured(session.call("whoami")[1])["username"] for _ in range(6)]
        assert names == ["analyst"] * 6
        _, started = session.call("run_search", {"query": "index=main | head 30", "row_limit": 5})
        sid = structured(started)["sid"]

        audit = await sticky.audit_when(lambda found: sum(len(v) for v in found.values()) >= 7)
        (owner,) = [name for name, lines in audit.items() if lines]
        sticky.processes[int(owner.removeprefix("gw")) - 1].kill()

        response, _ = session.call("whoami")
        assert response.status_code == 404  # the session died with its replica: the client must start over

        session.initialize(ANALYST)
        _, page = session.call("get_search_results", {"sid": sid, "offset": 5, "count": 5})
    assert len(structured(page)["results"]) == 5  # splunkd kept the job: any replica reads it
