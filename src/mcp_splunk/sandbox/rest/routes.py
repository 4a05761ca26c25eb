"""Route table: (methods, path pattern) → handler. Patterns are segment lists with ``{name}`` placeholders,
optionally behind a literal prefix (``conf-{file}``); a pattern listed with ``search/{v2}/jobs`` matches with
and without the ``v2`` segment, because splunkd serves both job APIs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp_splunk.sandbox.rest.replies import Reply
    from mcp_splunk.sandbox.rest.request import SplunkdRequest
    from mcp_splunk.sandbox.state import SandboxState

Handler = Callable[["SandboxState", "SplunkdRequest", dict[str, str]], "Reply"]


@dataclass(frozen=True, slots=True)
class Route:
    methods: frozenset[str]
    pattern: tuple[str, ...]
    handler: Handler
    authenticated: bool = True

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        found: dict[str, str] = {}
        for part, segment in zip(self.pattern, segments, strict=True):
            open_at = part.find("{")
            if open_at < 0:
                if part != segment:
                    return None
                continue
            prefix, name = part[:open_at], part[open_at + 1 : -1]
            if not segment.startswith(prefix) or len(segment) == len(prefix):
                return None
            found[name] = segment[len(prefix) :]
        return found


def route(methods: str, pattern: str, handler: Handler, *, authenticated: bool = True) -> list[Route]:
    verbs = frozenset(methods.split())
    parts = tuple(pattern.split("/"))
    if "{v2}" in parts:
        without = tuple(p for p in parts if p != "{v2}")
        with_v2 = tuple("v2" if p == "{v2}" else p for p in parts)
        return [Route(verbs, with_v2, handler, authenticated), Route(verbs, without, handler, authenticated)]
    return [Route(verbs, parts, handler, authenticated)]


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = list(routes)

    def resolve(self, method: str, segments: tuple[str, ...]) -> tuple[Route, dict[str, str]] | bool | None:
        """The matching route; False when the path exists but not for this method; None when unknown."""
        path_known = False
        for candidate in self._routes:
            found = candidate.match(segments)
            if found is None:
                continue
            if method in candidate.methods:
                return candidate, found
            path_known = True
        return False if path_known else None
