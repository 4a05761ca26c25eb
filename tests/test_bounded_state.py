"""State that clients can make grow stays within its bounds: 10,000 identities, sessions and principals."""

from __future__ import annotations

from mcp_splunk.middleware.session_configs import SessionConfigs
from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.pool import ConnectionPool
from mcp_splunk.state import TokenBuckets

MANY = 10_000


def identity(i: int) -> SplunkConfig:
    return SplunkConfig("127.0.0.1", 8089, "https", token=Secret(f"bounded-token-{i:05d}-x"), source="headers")


def test_ten_thousand_identities_keep_the_pool_at_its_bound() -> None:
    pool = ConnectionPool(GatewaySettings(pool_max_size=64))
    try:
        for i in range(MANY):
            pool.session(identity(i))  # token identities need no login, so this is the pool alone
            assert len(pool) <= 64
        assert len(pool) == 64
        newest = {s.config.fingerprint() for s in pool.sessions()}
        assert newest == {identity(i).fingerprint() for i in range(MANY - 64, MANY)}  # least recently used went
    finally:
        pool.close()


def test_ten_thousand_sessions_keep_the_session_store_at_its_bound() -> None:
    store = SessionConfigs(max_size=500, idle_seconds=1800)
    for i in range(MANY):
        store.bind(f"{i:032x}", identity(i))
        assert len(store) <= 500
    assert store.get(f"{MANY - 1:032x}") == identity(MANY - 1)
    assert store.get(f"{0:032x}") is None


def test_session_configs_expire_after_the_idle_timeout() -> None:
    store = SessionConfigs(max_size=10, idle_seconds=0.0)
    store.bind("a" * 32, identity(1))
    assert store.get("a" * 32) is None


def test_ten_thousand_principals_keep_the_rate_limiter_at_its_bound() -> None:
    limiter = TokenBuckets(per_minute=60, burst=5, max_principals=1000)
    for i in range(MANY):
        assert limiter.take_now(f"principal-{i}") == 0.0  # each new principal starts with a full bucket
    assert len(limiter) == 1000
