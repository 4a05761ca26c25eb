"""Users, roles, session keys and bearer tokens of the sandbox.

Index rights follow splunkd: ``srchIndexesAllowed`` patterns where ``*`` covers the non-internal indexes and
``_*`` the internal ones, inherited through imported roles.
"""

from __future__ import annotations

import base64
import fnmatch
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

ADMIN_CAPABILITIES = frozenset(
    {
        "accelerate_search",
        "admin_all_objects",
        "change_authentication",
        "change_own_password",
        "delete_by_keyword",
        "edit_indexer_cluster",
        "edit_roles",
        "edit_search_schedule_priority",
        "edit_server",
        "edit_tcp",
        "edit_token_http",
        "edit_user",
        "edit_view_html",
        "embed_report",
        "export_results_is_visible",
        "get_metadata",
        "get_typeahead",
        "indexes_edit",
        "input_file",
        "list_inputs",
        "list_settings",
        "list_storage_passwords",
        "output_file",
        "rest_apps_management",
        "rest_properties_get",
        "rest_properties_set",
        "restart_splunkd",
        "rtsearch",
        "run_collect",
        "run_mcollect",
        "run_sendalert",
        "schedule_rtsearch",
        "schedule_search",
        "search",
        "upload_lookup_files",
    }
)
USER_CAPABILITIES = frozenset(
    {
        "change_own_password",
        "embed_report",
        "export_results_is_visible",
        "get_metadata",
        "get_typeahead",
        "input_file",
        "list_inputs",
        "rest_properties_get",
        "rtsearch",
        "schedule_search",
        "search",
    }
)


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    capabilities: frozenset[str] = USER_CAPABILITIES
    imported_roles: tuple[str, ...] = ()
    indexes_allowed: tuple[str, ...] = ("*",)
    indexes_default: tuple[str, ...] = ("main",)


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password: str = field(repr=False)
    roles: tuple[str, ...]
    realname: str = ""
    email: str = ""
    default_app: str = "search"


def index_allowed(index: str, patterns: Iterable[str]) -> bool:
    internal = index.startswith("_")
    for pattern in patterns:
        if pattern == index:
            return True
        # "*" must not reach internal indexes; only patterns that start with "_" do.
        if internal == pattern.startswith("_") and fnmatch.fnmatchcase(index, pattern):
            return True
    return False


@dataclass(slots=True)
class _Session:
    user: str
    last_used: float


class Accounts:
    """Thread-safe: REST handlers run on worker threads."""

    def __init__(self, session_timeout: float = 3600.0) -> None:
        self._lock = threading.Lock()
        self._roles: dict[str, Role] = {}
        self._users: dict[str, User] = {}
        self._sessions: dict[str, _Session] = {}
        self._tokens: dict[str, str] = {}
        self.session_timeout = session_timeout
        # The sandbox's "user" role is narrower than splunkd's default so that role restrictions show.
        self.add_role(Role("user", indexes_allowed=("main", "web")))
        self.add_role(Role("power", imported_roles=("user",)))
        self.add_role(Role("admin", ADMIN_CAPABILITIES, ("power", "user"), ("*", "_*"), ("main", "os")))
        self.add_user(User("admin", "changeme", ("admin",), "Administrator", "admin@sandbox.example"))
        self.add_user(User("analyst", "analyst-pass", ("user",), "Ana Lyst", "analyst@sandbox.example"))

    # -- directory ----------------------------------------------------------------------------------------
    def add_role(self, role: Role) -> None:
        with self._lock:
            self._roles[role.name] = role

    def add_user(self, user: User) -> None:
        with self._lock:
            self._users[user.name.lower()] = user

    def remove_user(self, name: str) -> None:
        """Forget a user and end its sessions and tokens, as deleting a splunkd user does."""
        with self._lock:
            user = self._users.pop(name.lower(), None)
            if user is not None:
                self._sessions = {k: s for k, s in self._sessions.items() if s.user != user.name}
                self._tokens = {t: u for t, u in self._tokens.items() if u != user.name}

    def remove_role(self, name: str) -> None:
        with self._lock:
            self._roles.pop(name, None)

    def user(self, name: str) -> User | None:
        return self._users.get(name.lower())

    def users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.name)

    def role(self, name: str) -> Role | None:
        return self._roles.get(name)

    def roles(self) -> list[Role]:
        return sorted(self._roles.values(), key=lambda r: r.name)

    def _closure(self, role_names: Iterable[str]) -> list[Role]:
        seen: dict[str, Role] = {}
        pending = list(role_names)
        while pending:
            name = pending.pop()
            role = self._roles.get(name)
            if role is None or name in seen:
                continue
            seen[name] = role
            pending.extend(role.imported_roles)
        return list(seen.values())

    def role_names(self, user: User) -> frozenset[str]:
        return frozenset(r.name for r in self._closure(user.roles))

    def capabilities(self, user: User) -> frozenset[str]:
        return frozenset().union(*(r.capabilities for r in self._closure(user.roles)))

    def index_patterns(self, user: User) -> tuple[str, ...]:
        return tuple(p for r in self._closure(user.roles) for p in r.indexes_allowed)

    def default_indexes(self, user: User) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for r in self._closure(user.roles) for i in r.indexes_default))

    # -- authentication -----------------------------------------------------------------------------------
    def check_password(self, name: str, password: str) -> User | None:
        user = self.user(name)
        expected = user.password if user else secrets.token_hex(16)
        ok = hmac.compare_digest(expected.encode(), password.encode())
        return user if ok and user else None

    def login(self, user: User) -> str:
        key = secrets.token_hex(16)
        with self._lock:
            self._sessions[key] = _Session(user.name, time.monotonic())
        return key

    def logout(self, key: str) -> None:
        with self._lock:
            self._sessions.pop(key, None)

    def session_owner(self, key: str) -> str | None:
        with self._lock:
            session = self._sessions.get(key)
        return session.user if session else None

    def sessions_of(self, user: str | None) -> list[tuple[str, str]]:
        """(key, user) of the live sessions, all of them when ``user`` is None."""
        with self._lock:
            return [(k, s.user) for k, s in self._sessions.items() if user is None or s.user == user]

    def expire_sessions(self, user: str | None = None) -> int:
        """Invalidate session keys (all, or one user's); returns how many were dropped."""
        with self._lock:
            doomed = [k for k, s in self._sessions.items() if user is None or s.user == user]
            for key in doomed:
                del self._sessions[key]
        return len(doomed)

    def session_count(self) -> int:
        return len(self._sessions)

    def add_token(self, token: str, user: str) -> None:
        if self.user(user) is None:
            raise ValueError(f"unknown user {user!r} for token")
        with self._lock:
            self._tokens[token] = user

    def authenticate(self, authorization: str | None, cookies: dict[str, str]) -> User | None:
        """The user behind an Authorization header or ``splunkd_<port>`` cookie, or None."""
        if authorization:
            scheme, _, credential = authorization.strip().partition(" ")
            credential = credential.strip()
            match scheme.lower():
                case "splunk":
                    return self._session_user(credential)
                case "bearer":
                    name = self._tokens.get(credential)
                    return self.user(name) if name else None
                case "basic":
                    return self._basic_user(credential)
            return None
        for name, value in cookies.items():
            if name.startswith("splunkd_"):
                return self._session_user(value)
        return None

    def _session_user(self, key: str) -> User | None:
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.last_used > self.session_timeout:
                del self._sessions[key]
                return None
            session.last_used = now
        return self.user(session.user)

    def _basic_user(self, credential: str) -> User | None:
        try:
            decoded = base64.b64decode(credential, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        name, _, password = decoded.partition(":")
        return self.check_password(name, password)
