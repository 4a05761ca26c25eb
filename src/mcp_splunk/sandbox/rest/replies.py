"""What endpoint handlers return, and the splunkd error they raise.

Handlers stay free of wire details: they return a reply object and the ASGI app renders it in the caller's
``output_mode``. ``SplunkdError`` is the one way to fail; the app renders it as splunkd's messages envelope.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mcp_splunk.sandbox.rest.entries import Entry, Feed


class SplunkdError(Exception):
    def __init__(self, status: int, text: str, kind: str = "ERROR") -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.kind = kind


def not_found(handler: str, name: str) -> SplunkdError:
    return SplunkdError(404, f"In handler '{handler}': Could not find object id={name}")


def forbidden(user: str, capability: str) -> SplunkdError:
    return SplunkdError(
        403,
        f"You (user={user}) do not have permission to perform this operation (requires capability: {capability}).",
    )


def bad_request(text: str) -> SplunkdError:
    return SplunkdError(400, text)


@dataclass(slots=True)
class FeedReply:
    feed: Feed
    status: int = 200


@dataclass(slots=True)
class EntryReply:
    """A bare root ``<entry>`` (job status); in JSON mode a one-entry feed."""

    entry: Entry
    status: int = 200


@dataclass(slots=True)
class MessageReply:
    status: int
    messages: list[tuple[str, str]]


@dataclass(slots=True)
class DocumentReply:
    """A ``<response>`` document whose JSON form is a plain object (login, dispatch sid)."""

    status: int
    xml_body: str
    json_body: dict[str, Any]
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class BodyReply:
    """A body already in its final format (search results, KV Store JSON)."""

    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class StreamReply:
    """A streamed body with no Content-Length (export)."""

    chunks: Iterator[bytes]
    content_type: str


@dataclass(slots=True)
class EmptyReply:
    status: int = 204


Reply = FeedReply | EntryReply | MessageReply | DocumentReply | BodyReply | StreamReply | EmptyReply
