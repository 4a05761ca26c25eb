"""Header-less follow-ups of a handshake-era session on stateless replicas: the session's Splunk config is shared
through Redis, encrypted, and resolvable only by the gateway principal that made it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis as redis_client
from cryptography.fernet import Fernet

from mcp_splunk.sandbox import Sandbox
from tests.engines import RedisServer
from tests.scaleout.conftest import Replicas, replicas
from tests.support import ANALYST, RawSession, structured

ALICE = {"Authorization": "Bearer binding-token-alice-0123456789"}
BOB = {"Authorization": "Bearer binding-token-bob-0123456789"}


@pytest.fixture(scope="module")
def bound_trio(sandbox: Sandbox, redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    settings = {
        "auth": "token",
        "auth_tokens": "alice:binding-token-alice-0123456789,bob:binding-token-bob-0123456789",
        "state_url": redis.url,
        "state_key_prefix": "bindings",
        "state_encryption_key": Fernet.generate_key().decode(),
        "trusted_proxies": "127.0.0.1",
    }
    directory: Path = tmp_path_factory.mktemp("bindings")
    with replicas(sandbox, directory, **settings) as running:
        yield running


def test_a_session_bound_on_one_replica_answers_header_less_follow_ups_on_every_replica(bound_trio: Replicas) -> None:
    with httpx.Client(timeout=30) as http:
        session = RawSession(http, bound_trio.url)
        session.initialize({**ALICE, **ANALYST})
        names = [structured(session.call("whoami", extra=ALICE)[1])["username"] for _ in range(6)]
    assert names == ["analyst"] * 6  # round robin: each replica answered some, as the analyst


def test_another_principal_with_the_same_session_id_gets_nothing_of_it(bound_trio: Replicas) -> None:
    with httpx.Client(timeout=30) as http:
        session = RawSession(http, bound_trio.url)
        session.initialize({**ALICE, **ANALYST})
        replies = [session.call("whoami", extra=BOB)[1] for _ in range(3)]
    # The replicas have no default credentials: without the binding there is no Splunk identity at all.
    assert [structured(reply)["error"]["code"] for reply in replies] == ["splunk_not_configured"] * 3


def test_the_binding_at_rest_reveals_neither_the_password_nor_the_session_id(
    bound_trio: Replicas, redis: RedisServer
) -> None:
    with httpx.Client(timeout=30) as http:
        session = RawSession(http, bound_trio.url)
        session.initialize({**ALICE, **ANALYST})
        assert structured(session.call("whoami", extra=ALICE)[1])["username"] == "analyst"
    assert session.session_id is not None
    stored = redis_client.Redis.from_url(redis.url)
    keys = [key for key in stored.keys("*") if b"session" in key]
    assert keys
    everything = b"".join(keys) + b"".join(stored.dump(key) or b"" for key in keys)
    assert ANALYST["X-Splunk-Password"].encode() not in everything
    assert session.session_id.encode() not in everything
