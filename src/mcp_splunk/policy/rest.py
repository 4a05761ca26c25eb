"""What ``| rest`` may read: a GET of an allowlisted endpoint, with secret-named fields removed.

splunkd's ``rest`` command runs a GET with the search's own identity, so it reaches whatever that identity can
read, secrets included (``storage/passwords`` answers clear text; ``configs/conf-*`` answers stored hashes), and
``search/jobs/export`` even runs SPL from its arguments. The gateway therefore allows only the endpoints listed
here (plus those the operator adds), never the ``NEVER`` ones, and edits every ``rest`` it allows so that the
fields whose names ``mcp_splunk.masking`` calls secret are dropped before any later command sees them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final
from urllib.parse import unquote

from mcp_splunk.masking import spl_secret_patterns
from mcp_splunk.policy.fields import is_option, name_tokens
from mcp_splunk.spl import SUBSEARCH, Token

ENDPOINTS_SETTING: Final = "MCP_SPLUNK_ALLOWED_REST_ENDPOINTS"

DEFAULT_ENDPOINTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "server/info": "version, build, OS and license state",
        "server/health/splunkd": "the health status tree",
        "server/health/splunkd/details": "the health status tree with its indicators",
        "data/indexes": "index settings and sizes",
        "data/indexes/*": "one index's settings and size",
        "authentication/current-context": "the caller's own user name, roles and capabilities",
        "authentication/users": "user names, real names, roles and default apps (never password hashes)",
        "authentication/users/*": "one user's names, roles and default app",
        "authorization/roles": "roles with their capabilities and index permissions",
        "authorization/roles/*": "one role's capabilities and index permissions",
        "apps/local": "installed apps with their versions",
        "apps/local/*": "one installed app",
        "saved/searches": "saved searches and alerts (secret-named action settings removed)",
        "saved/searches/*": "one saved search (secret-named action settings removed)",
        "saved/eventtypes": "event type definitions",
        "data/ui/views": "dashboards",
        "data/ui/views/*": "one dashboard",
        "data/lookup-table-files": "lookup table files",
        "data/transforms/lookups": "lookup definitions",
        "search/jobs": "the caller's search jobs (their sids, SPL and states)",
        "messages": "system messages shown in Splunk Web",
        "storage/collections/config": "KV Store collection definitions",
    }
)

# Never, whatever the operator lists: endpoints that answer secrets in clear text or run SPL given in a GET.
NEVER: Final[Mapping[str, str]] = MappingProxyType(
    {
        "storage/passwords": "stored credentials in clear text",
        "authentication/httpauth-tokens": "live session keys",
        "authorization/tokens": "authentication tokens",
        "admin/passwords": "stored credentials",
        "search/jobs/export": "runs the SPL given in its arguments",
        "search/v2/jobs/export": "runs the SPL given in its arguments",
        "search/jobs/oneshot": "runs the SPL given in its arguments",
    }
)
_NEVER_SEGMENTS: Final = frozenset({"passwords", "httpauth-tokens", "tokens", "export", "oneshot", "dispatch"})
_UNSAFE: Final = re.compile(r"[\s?#;\\%\x00-\x1f\x7f]")


class RestRules:
    """The endpoints ``rest`` may read: the defaults plus the operator's patterns (``*`` is one path segment)."""

    def __init__(self, extra: Sequence[str] = ()) -> None:
        for pattern in extra:
            if endpoint_path(pattern) is None:
                raise ValueError(
                    f"{ENDPOINTS_SETTING} holds '{pattern[:80]}', which is not an endpoint path such as "
                    "configs/conf-* or /services/data/inputs/monitor"
                )
        self.patterns = tuple(dict.fromkeys([*DEFAULT_ENDPOINTS, *(endpoint_path(p) or "" for p in extra)]))
        self._compiled = [re.compile("[^/]+".join(re.escape(part) for part in p.split("*"))) for p in self.patterns]

    def refusal(self, tokens: Sequence[Token]) -> str | None:
        """Why this ``rest`` command is refused, or None when it may run (with secret-named fields removed)."""
        if any(token.kind == SUBSEARCH for token in tokens):
            return "takes part of its arguments from a subsearch; give the endpoint and arguments literally"
        if any(token.value.lower() == "method" and is_option(tokens, i) for i, token in enumerate(tokens)):
            return "sets method=; the gateway's rest is GET only (drop the method argument)"
        # count=, splunk_server=, timeout= and GET arguments for the endpoint are options; what is left names it.
        uris = [token.value for token in name_tokens(tokens)]
        if len(uris) != 1:
            return "names no single endpoint; write | rest /services/<endpoint> [count=N]"
        path = endpoint_path(uris[0])
        if path is None:
            return "names an endpoint the gateway cannot read as a plain path (no query, encoding or '..')"
        if (never := self._never(path)) is not None:
            return f"reads {path}, which answers {never}; the gateway never allows it"
        if not any(pattern.fullmatch(path) for pattern in self._compiled):
            return (
                f"reads {path}, which is not on the gateway's list of REST endpoints; the operator can add it "
                f"with {ENDPOINTS_SETTING} (secret-named fields are removed either way)"
            )
        return None

    @staticmethod
    def _never(path: str) -> str | None:
        for prefix, why in NEVER.items():
            if path == prefix or path.startswith(prefix + "/"):
                return why
        if _NEVER_SEGMENTS.intersection(path.split("/")):
            return "secrets or runs SPL"
        return None


def endpoint_path(uri: str) -> str | None:
    """The endpoint a ``rest`` URI names, without ``/services`` or ``/servicesNS/<owner>/<app>``, lower-cased;
    None for anything but a plain path (percent-encoding, queries, ``..``, schemes are where tricks hide)."""
    decoded = uri.strip()
    for _ in range(3):  # splunkd decodes once; whatever survives more than once is refused below
        decoded = unquote(decoded)
    if _UNSAFE.search(decoded) or "://" in decoded:
        return None
    segments = [segment for segment in decoded.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        return None
    lowered = [segment.lower() for segment in segments]
    if lowered[:1] == ["servicesns"]:
        lowered = lowered[3:]
    elif lowered[:1] == ["services"]:
        lowered = lowered[1:]
    return "/".join(lowered) or None


def masking_suffix() -> str:
    """The command the gateway appends to every ``rest`` it allows."""
    return " | fields - " + " ".join(spl_secret_patterns())
