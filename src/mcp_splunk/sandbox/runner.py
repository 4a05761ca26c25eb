"""Running a sandbox: in-process on a thread, or as a child process, always on a free port unless told otherwise.

The Python API is what tests and embedders use: start/stop, the URL, and seeding users, roles, tokens and
events. Starting takes well under a second: the sample corpus is generated in ~150 ms and field extraction is
deferred to the first search that needs it.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from mcp_splunk._serving import ServerProcess, ThreadServer, listen_socket, uvicorn_config
from mcp_splunk.sandbox.accounts import USER_CAPABILITIES, Role, User
from mcp_splunk.sandbox.events import Event
from mcp_splunk.sandbox.rest.app import SandboxApp
from mcp_splunk.sandbox.rest.endpoints import all_routes
from mcp_splunk.sandbox.sample import load_sample_data
from mcp_splunk.sandbox.state import HEALTH_COLOURS, SandboxOptions, SandboxState
from mcp_splunk.sandbox.tls import SandboxCertificate, issue_certificate

READY_PATTERN = re.compile(r"listening on (?P<url>https?://\S+)")


class Sandbox:
    """An embedded splunkd-compatible server with sample data.

    >>> with Sandbox() as splunk:  # doctest: +SKIP
    ...     splunklib.client.connect(host=splunk.host, port=splunk.port, scheme=splunk.scheme,
    ...                              username="admin", password="changeme")
    """

    def __init__(
        self,
        options: SandboxOptions | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        scheme: str = "http",
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be http or https, not {scheme!r}")
        self.options = options or SandboxOptions()
        self.host = host
        self.scheme = scheme
        self._requested_port = port
        self.state = SandboxState(self.options)
        if self.options.sample_data:
            load_sample_data(self.state)
        self.certificate: SandboxCertificate | None = None
        self._server: ThreadServer | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        ssl = None
        if self.scheme == "https":
            self.certificate = issue_certificate()
            ssl = {"certfile": str(self.certificate.cert_file), "keyfile": str(self.certificate.key_file)}
        sock = listen_socket(self.host, self._requested_port)
        app = SandboxApp(self.state, all_routes(), self.scheme)
        self._server = ThreadServer(uvicorn_config(app, ssl=ssl), sock)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self.state.jobs.shutdown()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("sandbox not started")
        return self._server.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate that verifies an https sandbox."""
        return self.certificate.ca_file if self.certificate else None

    # -- seeding ------------------------------------------------------------------------------------------
    def add_role(
        self,
        name: str,
        *,
        capabilities: Iterable[str] = USER_CAPABILITIES,
        imported_roles: Iterable[str] = (),
        indexes_allowed: Iterable[str] = ("main",),
        indexes_default: Iterable[str] = ("main",),
    ) -> None:
        self.state.accounts.add_role(
            Role(
                name,
                frozenset(capabilities),
                tuple(imported_roles),
                tuple(indexes_allowed),
                tuple(indexes_default),
            )
        )

    def add_user(
        self,
        name: str,
        password: str,
        roles: Iterable[str] = ("user",),
        *,
        realname: str = "",
        email: str = "",
    ) -> None:
        unknown = [r for r in roles if self.state.accounts.role(r) is None]
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(unknown)}")
        self.state.accounts.add_user(User(name, password, tuple(roles), realname, email))

    def add_token(self, token: str, user: str) -> None:
        """Register a bearer token (``Authorization: Bearer <token>``) acting as ``user``."""
        self.state.accounts.add_token(token, user)

    def add_hec_token(self, token: str, index: str = "main") -> None:
        """Accept ``Authorization: Splunk <token>`` on the HTTP Event Collector (``/services/collector/event``);
        events that name no index go to ``index``."""
        with self.state.config_lock:
            self.state.hec_tokens[token] = index

    def add_events(
        self,
        index: str,
        events: Iterable[Event | str],
        *,
        sourcetype: str = "generic",
        host: str = "sandbox",
        source: str = "seeded",
        time_: float | None = None,
    ) -> int:
        """Index events (``Event`` objects, or raw lines stamped ``time_`` or now); creates the index if new."""
        stamp = time.time() if time_ is None else time_
        built = [e if isinstance(e, Event) else Event(stamp, e, index, host, source, sourcetype) for e in events]
        return self.state.add_events(index, built)

    def events(self, index: str) -> list[Event]:
        """The events of an index, oldest first (for computing expected answers in tests)."""
        found = self.state.indexes.get(index)
        return list(found.events) if found else []

    def expire_sessions(self, user: str | None = None) -> int:
        """Invalidate splunkd session keys, as an idle timeout or restart would."""
        return self.state.accounts.expire_sessions(user)

    def set_health(self, feature: str, colour: str, reason: str = "") -> None:
        """Report ``feature`` of server/health/splunkd as green, yellow or red (the worst one sets the overall)."""
        if colour not in HEALTH_COLOURS:
            raise ValueError(f"colour must be one of {', '.join(HEALTH_COLOURS)}, not {colour!r}")
        self.state.health[feature] = (colour, reason)

    def job_cancelled(self, sid: str) -> bool:
        return self.state.jobs.was_cancelled(sid)

    def cancelled_jobs(self) -> tuple[str, ...]:
        """Sids of the jobs cancelled so far, oldest first."""
        return self.state.jobs.cancelled()


class SandboxProcess(ServerProcess):
    """The sandbox as a child process (``mcp-splunk sandbox``), for benchmarks and kill tests; ready once it
    prints its URL."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, scheme: str = "http", extra_args: Iterable[str] = ()
    ) -> None:
        args = [sys.executable, "-m", "mcp_splunk", "sandbox", "--host", host, "--port", str(port), "--scheme", scheme]
        super().__init__([*args, *extra_args], READY_PATTERN)
