"""The connection pool logs in once per identity, renews an expired session once, and logs out evicted ones."""

from __future__ import annotations

import pytest

from mcp_splunk.errors import SplunkAuthError
from mcp_splunk.sandbox import Sandbox
from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk import operations as ops
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.pool import ConnectionPool


def config_for(sandbox: Sandbox, username: str, password: str) -> SplunkConfig:
    return SplunkConfig("127.0.0.1", sandbox.port, "http", username=username, password=Secret(password))


@pytest.fixture
def pool() -> ConnectionPool:
    created = ConnectionPool(GatewaySettings(pool_max_size=2))
    yield created
    created.close()


async def test_the_same_identity_logs_in_once_and_reuses_its_session(sandbox: Sandbox, pool: ConnectionPool) -> None:
    config = config_for(sandbox, "analyst", "analyst-pass")
    for _ in range(4):
        assert (await pool.run(config, ops.current_context))["username"] == "analyst"
    assert pool.logins == 1
    assert len(pool) == 1


async def test_different_identities_get_different_sessions(sandbox: Sandbox, pool: ConnectionPool) -> None:
    admin = await pool.run(config_for(sandbox, "admin", "changeme"), ops.current_context)
    analyst = await pool.run(config_for(sandbox, "analyst", "analyst-pass"), ops.current_context)
    assert (admin["username"], analyst["username"]) == ("admin", "analyst")
    assert pool.logins == 2


async def test_an_expired_splunkd_session_is_renewed_once_transparently(sandbox: Sandbox, pool: ConnectionPool) -> None:
    sandbox.add_user("pool-renew", "renew-pw-1", roles=("user",))
    config = config_for(sandbox, "pool-renew", "renew-pw-1")
    await pool.run(config, ops.current_context)
    assert sandbox.expire_sessions("pool-renew") == 1
    assert (await pool.run(config, ops.current_context))["username"] == "pool-renew"
    assert pool.logins == 2


async def test_evicted_password_sessions_are_logged_out(sandbox: Sandbox, pool: ConnectionPool) -> None:
    for i in range(3):
        sandbox.add_user(f"pool-evict-{i}", f"evict-pw-{i}", roles=("user",))
    keys_before = sandbox.state.accounts.session_count()
    for i in range(3):  # the pool holds two; the first is evicted and logged out
        await pool.run(config_for(sandbox, f"pool-evict-{i}", f"evict-pw-{i}"), ops.current_context)
    pool.close()  # waits for pending logouts and logs out the rest
    assert len(pool) == 0
    assert sandbox.state.accounts.session_count() == keys_before


async def test_wrong_credentials_are_a_login_error_naming_the_user_not_the_password(
    sandbox: Sandbox, pool: ConnectionPool
) -> None:
    with pytest.raises(SplunkAuthError) as raised:
        await pool.run(config_for(sandbox, "analyst", "wrong-password-77"), ops.current_context)
    assert "analyst" in raised.value.message
    assert "wrong-password-77" not in raised.value.message


async def test_a_bearer_token_identity_needs_no_login(sandbox: Sandbox, pool: ConnectionPool) -> None:
    sandbox.add_token("pool-token-abc123", "analyst")
    config = SplunkConfig("127.0.0.1", sandbox.port, "http", token=Secret("pool-token-abc123"))
    assert (await pool.run(config, ops.current_context))["username"] == "analyst"
    assert pool.logins == 0


async def test_a_rejected_token_is_reported_as_such(sandbox: Sandbox, pool: ConnectionPool) -> None:
    config = SplunkConfig("127.0.0.1", sandbox.port, "http", token=Secret("not-a-real-token"))
    with pytest.raises(SplunkAuthError, match="authentication token"):
        await pool.run(config, ops.current_context)
