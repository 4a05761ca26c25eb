"""Pooled Splunk sessions: log in once per distinct identity, reuse the splunklib ``Service``, run every call
off the event loop.

Sessions are keyed by the config's fingerprint (target, credentials, namespace, TLS settings), bounded in
number and idle time; evicted password sessions are logged out. A password session whose splunkd session key
expired is logged in again once, transparently; token and session-key identities cannot be renewed and
report the rejection.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import anyio
from splunklib import binding, client

from mcp_splunk._cache import BoundedTTLCache
from mcp_splunk.errors import SplunkUnreachable
from mcp_splunk.secret import Secret
from mcp_splunk.settings import GatewaySettings
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.errors import translated, unreachable
from mcp_splunk.splunk.targets import TargetPolicy, UnresolvableTarget
from mcp_splunk.splunk.transport import HttpTransport, Observe

logger = logging.getLogger("mcp_splunk.pool")
P = ParamSpec("P")
T = TypeVar("T")
_LOCK_STRIPES = 64


def register_session_key(service: client.Service) -> None:
    """Make a new splunkd session key known to the log redactor."""
    Secret(str(service.token).removeprefix("Splunk ").strip())


class SplunkSession:
    """One identity's splunklib ``Service``; safe to share across threads for independent calls."""

    def __init__(self, config: SplunkConfig, service: client.Service, on_login: Callable[[], None]) -> None:
        self.config = config
        self.service = service
        self._on_login = on_login
        self._relogin_lock = threading.Lock()
        self._generation = 0

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with translated(self.config):
            generation = self._generation
            try:
                return fn(self.service, *args, **kwargs)
            except binding.AuthenticationError:
                if self.config.auth_kind != "password":
                    raise
                self._relogin(generation)
            return fn(self.service, *args, **kwargs)

    def _relogin(self, seen_generation: int) -> None:
        with self._relogin_lock:
            if self._generation == seen_generation:  # another thread may have renewed it already
                logger.info(
                    "splunkd session expired for %s at %s; logging in again",
                    self.config.principal,
                    self.config.target,
                )
                self.service.login()
                register_session_key(self.service)
                self._on_login()
                self._generation += 1

    def logout(self) -> None:
        """Revoke the splunkd session key we created (splunklib's own logout only forgets it locally)."""
        if self.config.auth_kind != "password":
            return
        key = str(self.service.token).removeprefix("Splunk ").strip()
        try:
            if key:
                self.service.delete(f"authentication/httpauth-tokens/{key}", owner="-", app="-")
        except Exception:  # best effort: an unrevoked key still expires on splunkd's idle timeout
            logger.debug("revoking the session at %s failed", self.config.target, exc_info=True)
        finally:
            self.service.logout()


class ConnectionPool:
    def __init__(self, settings: GatewaySettings, observe: Observe | None = None) -> None:
        self.transport = HttpTransport(
            connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout, observe=observe
        )
        self.targets = TargetPolicy(settings)
        self._connect_timeout = settings.connect_timeout
        self.limiter = anyio.CapacityLimiter(settings.worker_threads)
        self._sessions: BoundedTTLCache[str, SplunkSession] = BoundedTTLCache(
            settings.pool_max_size, settings.pool_idle_seconds, on_evict=self._retire
        )
        self._stripes = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._logouts = ThreadPoolExecutor(max_workers=2, thread_name_prefix="splunk-logout")
        self._login_lock = threading.Lock()
        self.logins = 0  # splunkd logins performed, renewals included (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self._sessions)

    def sessions(self) -> list[SplunkSession]:
        """The pooled sessions (for diagnostics)."""
        return self._sessions.values()

    async def run(self, config: SplunkConfig, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(service, *args, **kwargs)`` for ``config`` on a worker thread."""
        call = functools.partial(self._call, config, fn, *args, **kwargs)
        started = time.monotonic()
        try:
            return await anyio.to_thread.run_sync(call, limiter=self.limiter, abandon_on_cancel=True)
        except SplunkUnreachable:
            # A refused port answers at once, a filtered one only at the timeout: answering both at the timeout
            # keeps the gateway from being a port scanner for the network behind it.
            await anyio.sleep(max(0.0, self._connect_timeout - (time.monotonic() - started)))
            raise

    def _call(self, config: SplunkConfig, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.session(config).call(fn, *args, **kwargs)

    def session(self, config: SplunkConfig) -> SplunkSession:
        key = config.fingerprint()
        found = self._sessions.get(key)
        if found is not None:
            return found
        with self._stripes[hash(key) % _LOCK_STRIPES]:  # one login per identity, even under a burst
            found = self._sessions.get(key)
            if found is None:
                found = self._connect(config)
                self._sessions.put(key, found)
        return found

    def _connect(self, config: SplunkConfig) -> SplunkSession:
        credentials: dict[str, Any]
        if config.token:
            credentials = {"splunkToken": config.token.reveal()}
        elif config.session_key:
            credentials = {"token": config.session_key.reveal()}
        else:
            credentials = {
                "username": config.username,
                "password": config.password.reveal() if config.password else "",
            }
        with translated(config):
            try:
                address = self.targets.vet(config)
            except UnresolvableTarget:
                raise unreachable(config) from None
            service = client.Service(
                host=config.host,
                port=config.port,
                scheme=config.scheme,
                app=config.app,
                owner=config.owner,
                handler=self.transport.handler_for(config, address),
                autologin=False,
                **credentials,
            )
            if config.auth_kind == "password":
                service.login()
                register_session_key(service)
                self._count_login()
        return SplunkSession(config, service, self._count_login)

    def _count_login(self) -> None:
        with self._login_lock:
            self.logins += 1

    def _retire(self, _key: str, session: SplunkSession) -> None:
        self._logouts.submit(session.logout)

    def close(self) -> None:
        self._sessions.clear()
        self._logouts.shutdown(wait=True, cancel_futures=False)
        self.transport.close()
