"""One splunkd REST request, decoded the way splunklib sends it.

splunklib POSTs form bodies without a Content-Type, so the body is always parsed with ``parse_qsl`` and merged
with the query string (body last); only KV Store writes carry JSON, which ``json_body`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from mcp_splunk.sandbox.accounts import User
from mcp_splunk.sandbox.objects import Namespace
from mcp_splunk.sandbox.rest.entries import ListQuery
from mcp_splunk.sandbox.rest.replies import SplunkdError

MAX_INT_PARAM = 2**31 - 1
_TRUE = frozenset({"1", "t", "true", "y", "yes", "on"})
_FALSE = frozenset({"0", "f", "false", "n", "no", "off", ""})


def boolean(key: str, text: str) -> bool:
    """A boolean argument as splunkd reads it (``False``, ``0``, ``no`` ...), or 400 naming the argument."""
    value = text.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise SplunkdError(400, f"Argument '{key}' must be a boolean such as 1, 0, true or false; got '{text[:64]}'.")


def normalise_booleans(values: Mapping[str, Any], booleans: Iterable[str]) -> dict[str, Any]:
    """``values`` with the boolean settings stored as booleans, so they read back as 1/0 whatever was sent."""
    names = frozenset(booleans)
    return {k: boolean(k, v) if k in names and isinstance(v, str) else v for k, v in values.items()}


@dataclass(slots=True)
class SplunkdRequest:
    method: str
    segments: tuple[str, ...]  # decoded path segments below /services/ or /servicesNS/<o>/<a>/
    owner: str | None = None
    app: str | None = None
    params: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""
    user: User | None = None
    base_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    query: dict[str, str] = field(default_factory=dict)  # the query string alone, for bodies that are data

    @classmethod
    def parse(cls, method: str, path: str, query: bytes, body: bytes, content_type: str) -> SplunkdRequest | None:
        """None when ``path`` is not under /services or /servicesNS/<owner>/<app>."""
        parts = path.split("/")
        if len(parts) < 2 or parts[0] != "":
            return None
        owner = app = None
        if parts[1] == "services":
            rest = parts[2:]
        elif parts[1] == "servicesNS" and len(parts) >= 4:
            owner, app = unquote_plus(parts[2]), unquote_plus(parts[3])
            rest = parts[4:]
        else:
            return None
        if rest and rest[-1] == "":
            rest = rest[:-1]  # trailing slash: splunklib sends it on collections and never follows redirects
        params: dict[str, list[str]] = {}
        sources = [query.decode("latin-1")]
        if body and not content_type.startswith("application/json"):
            sources.append(body.decode("utf-8", "replace"))
        for source in sources:
            for key, value in parse_qsl(source, keep_blank_values=True):
                params.setdefault(key, []).append(value)
        segments = tuple(unquote_plus(s) for s in rest)
        query_only = dict(parse_qsl(sources[0], keep_blank_values=True))
        return cls(method, segments, owner, app, params, body, content_type, query=query_only)

    def get(self, key: str, default: str | None = None) -> str | None:
        values = self.params.get(key)
        return values[-1] if values else default

    def getall(self, key: str) -> list[str]:
        return self.params.get(key, [])

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        if value is None:
            return default
        return value.strip().lower() in ("1", "t", "true", "y", "yes")

    def int_param(self, key: str, default: int, minimum: int = 0, maximum: int = MAX_INT_PARAM) -> int:
        raw = self.get(key)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SplunkdError(400, f"Argument '{key}' must be an integer; got '{raw[:64]}'.") from None
        if not minimum <= value <= maximum:
            raise SplunkdError(400, f"Argument '{key}' must be between {minimum} and {maximum}; got {raw[:64]}.")
        return value

    def count_param(self, default: int) -> int:
        """``count``, where 0 and any negative value mean "all" (splunklib sends -1 and 0 for that)."""
        return max(self.int_param("count", default, minimum=-MAX_INT_PARAM), 0)

    @property
    def output_mode(self) -> str:
        return (self.get("output_mode") or "xml").lower()

    @property
    def json_mode(self) -> bool:
        return self.output_mode == "json"

    @property
    def username(self) -> str:
        assert self.user is not None
        return self.user.name

    def require_user(self) -> User:
        assert self.user is not None, "authenticated routes always carry a user"
        return self.user

    def namespace(self) -> Namespace:
        return Namespace.of(self.owner, self.app, self.require_user())

    def list_query(self) -> ListQuery:
        return ListQuery(
            count=self.count_param(30),
            offset=self.int_param("offset", 0),
            search=self.get("search") or None,
            sort_key=self.get("sort_key") or "name",
            sort_dir=(self.get("sort_dir") or "asc").lower(),
            fields=tuple(self.getall("f")),
        )

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise SplunkdError(400, "Request body is not valid JSON.") from None

    def form(self, *, exclude: tuple[str, ...] = ("output_mode",)) -> dict[str, str]:
        """The parameters as single values (last one wins), without splunkd's protocol-level ones."""
        return {k: v[-1] for k, v in self.params.items() if k not in exclude}
