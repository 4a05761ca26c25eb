"""What the KV Store tools share: name and query validation, and the error wording.

Collection and app names are validated at the argument; Mongo-style queries are checked for unknown operators
before they reach Splunk, so a typo such as ``$gte4`` gets a clear error naming the operator and where it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import StringConstraints

from mcp_splunk.errors import InvalidArgument, SplunkNotFound, SplunkPermissionDenied, SplunkRequestError
from mcp_splunk.tools.splunk_client import SplunkClient

T = TypeVar("T")

CollectionName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")]
AppName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,79}$")]
RecordKey = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=r"^[^\x00-\x1f/]+$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[^\s,:$\-][^,:]{0,255}$")]
SortKey = Annotated[str, StringConstraints(pattern=r"^-?[^\s,:$\-][^,:]{0,255}$")]

QUERY_OPERATORS = frozenset(
    {"$and", "$or", "$nor", "$not", "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$exists"}
)
MAX_QUERY_CHARS = 20_000
APP_DESCRIPTION = (
    "The Splunk app that holds the collection, e.g. 'search'. Default: this request's app (X-Splunk-App or "
    "SPLUNK_APP, usually 'search')."
)
QUERY_EXAMPLE = '{"criticality": {"$gte": 4}, "owner": {"$in": ["dba", "platform"]}}'
KEYS_PER_REQUEST = 100  # _key lists travel in the URL's query string: keep each request's URL short


def check_query(query: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``query`` if every ``$`` key in it is a KV Store operator; None for an absent or empty query."""
    if not query:
        return None
    if len(json.dumps(query, default=str)) > MAX_QUERY_CHARS:
        raise InvalidArgument(f"The query is longer than {MAX_QUERY_CHARS} characters of JSON; simplify it.")
    _check_operators(query, "query")
    return dict(query)


def _check_operators(value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        for name, item in value.items():
            key = str(name)
            if key.startswith("$") and key not in QUERY_OPERATORS:
                raise InvalidArgument(
                    f"Unknown KV Store query operator '{key}' at {where}. Supported operators: "
                    f"{', '.join(sorted(QUERY_OPERATORS))}. Example query: {QUERY_EXAMPLE}"
                )
            _check_operators(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_operators(item, f"{where}[{index}]")


def selectors(keys: Sequence[str] | None, query: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Queries that together select the records with ``keys`` (all of them when None) that match ``query``."""
    if not keys:
        return [query] if query else []
    chunks = [{"_key": {"$in": list(keys[i : i + KEYS_PER_REQUEST])}} for i in range(0, len(keys), KEYS_PER_REQUEST)]
    return [{"$and": [chunk, query]} for chunk in chunks] if query else chunks


def parse_sort(keys: Sequence[str]) -> list[tuple[str, int]]:
    return [(key[1:], -1) if key.startswith("-") else (key, 1) for key in keys]


async def kv_call(
    splunk: SplunkClient, operation: Callable[..., T], collection: str, app: str, *args: Any, **kwargs: Any
) -> T:
    """Run a KV Store operation, with errors that name the collection and app and say what to do."""
    where = f"collection '{collection}' in app '{app}'"
    try:
        return await splunk.run(operation, collection, app, *args, **kwargs)
    except SplunkNotFound as exc:
        said = exc.message.removeprefix("Splunk has no such object: ")
        raise SplunkNotFound(
            f"No KV Store {where} that this identity can see (Splunk: {said.rstrip('.')}). "
            "Check the name and app with list_kvstore_collections.",
            exc.status,
        ) from None
    except SplunkPermissionDenied as exc:
        said = exc.message.removeprefix("Splunk refused: ")
        raise SplunkPermissionDenied(
            f"Splunk refused this identity access to the KV Store {where}: {said} Changing records needs a "
            "role listed in the collection's write permissions; ask a Splunk admin, or use an account that has one.",
            exc.status,
        ) from None
    except SplunkRequestError as exc:
        if exc.status != 400:
            raise
        raise InvalidArgument(
            f"The KV Store rejected the request for {where}: {exc.message}. Queries are JSON objects such as "
            f"{QUERY_EXAMPLE}; sort keys are field names, '-field' for descending."
        ) from None
