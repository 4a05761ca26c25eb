"""Header-less follow-ups of handshake-era sessions on stateless replicas: the session's Splunk config in Redis.

A handshake-era client may send its ``X-Splunk-*`` headers once and then only its ``Mcp-Session-Id``. One process
remembers that in memory (``SessionConfigs``); replicas behind a round-robin balancer need it shared. The config
holds credentials, so it is stored only encrypted (Fernet, ``MCP_SPLUNK_STATE_ENCRYPTION_KEY``, through FastMCP's
own key-value wrapper) and only for a *verified* gateway principal (a token or JWT): the Redis key is a keyed
hash of the principal and the session id, and the stored principal must match again on every read, so a session
id alone, copied or guessed, resolves to nothing. Anonymous callers never get a shared binding.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict
from typing import Any

from cryptography.fernet import Fernet
from key_value.aio.errors import KeyValueOperationError
from key_value.aio.stores.redis import RedisStore
from key_value.aio.wrappers.encryption import FernetEncryptionWrapper
from redis.asyncio import Redis
from redis.exceptions import RedisError

from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.state.outage import Outage
from mcp_splunk.state.rate_limits import REDIS_TIMEOUT

_SECRETS = ("password", "token", "session_key")
_FAILURES = (RedisError, KeyValueOperationError, OSError)


class SharedBindings:
    def __init__(self, url: str, prefix: str, key: str, idle_seconds: float, outage: Outage) -> None:
        self._url = url
        self._collection = f"{prefix}:session"
        self._fernet = Fernet(key.encode())
        # The Redis key must not reveal the session id: keyed with the encryption key, shared by every replica.
        self._hmac_key = hashlib.sha256(b"mcp-splunk session binding\0" + key.encode()).digest()
        self._idle = idle_seconds
        self.outage = outage
        self._store: FernetEncryptionWrapper | None = None

    def _kv(self) -> FernetEncryptionWrapper:
        # Made on first use, inside the serving event loop that its Redis connections then belong to.
        if self._store is None:
            # RedisStore reads text: with bytes from the client it finds nothing.
            client = Redis.from_url(
                self._url, decode_responses=True, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
            )
            self._store = FernetEncryptionWrapper(RedisStore(client=client), fernet=self._fernet)
        return self._store

    def _key(self, session_id: str, principal: str) -> str:
        return hmac.new(self._hmac_key, f"{principal}\0{session_id}".encode(), hashlib.sha256).hexdigest()

    async def get(self, session_id: str, principal: str) -> SplunkConfig | None:
        key = self._key(session_id, principal)
        stored = await self._call(self._kv().get, key, collection=self._collection)
        if not isinstance(stored, dict) or stored.get("principal") != principal:
            return None
        await self._put(key, stored)  # an idle timeout, like the session's own: each use extends it
        return _config(stored["config"])

    async def bind(self, session_id: str, principal: str, config: SplunkConfig) -> None:
        await self._put(self._key(session_id, principal), {"principal": principal, "config": _plain(config)})

    async def _put(self, key: str, value: dict[str, Any]) -> None:
        await self._call(self._kv().put, key, value, collection=self._collection, ttl=self._idle)

    async def _call(self, operation: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.outage.should_try():
            return self._without_redis()
        try:
            result = await operation(*args, **kwargs)
        except _FAILURES as exc:
            self.outage.failed(type(exc).__name__)
            return self._without_redis()
        self.outage.recovered()
        return result

    def _without_redis(self) -> None:
        if self.outage.mode == "closed":
            raise self.outage.refusal("a header-less request of a session")
        # open: the request goes on without the binding, as on a replica that never saw the session


def _plain(config: SplunkConfig) -> dict[str, Any]:
    data = asdict(config)
    for name in _SECRETS:
        secret = getattr(config, name)
        data[name] = secret.reveal() if secret is not None else None
    data["source"] = "session"
    return data


def _config(data: dict[str, Any]) -> SplunkConfig:
    values = dict(data)
    for name in _SECRETS:
        values[name] = Secret(values[name]) if values.get(name) else None
    return SplunkConfig(**values)


def shared_bindings(settings: GatewaySettings, outage: Outage | None) -> SharedBindings | None:
    """Shared bindings for stateless replicas with a state URL and an encryption key; else None (in-process only)."""
    if not (settings.stateless and settings.state_url and settings.state_encryption_key and outage):
        return None
    return SharedBindings(
        settings.state_url.get_secret_value(),
        settings.state_key_prefix,
        settings.state_encryption_key.get_secret_value(),
        settings.session_idle_seconds,
        outage,
    )
