"""splunkd's JSON envelope (``output_mode=json``): one line, real JSON types, ``acl`` beside ``content``."""

from __future__ import annotations

import json
from typing import Any

from mcp_splunk.sandbox.rest.entries import Entry, Feed


def dumps(document: Any) -> str:
    # One line: splunklib's JSON readers parse line by line.
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _entry(entry: Entry, base_url: str, updated: str) -> dict[str, Any]:
    content = dict(entry.content)
    content["eai:acl"] = None
    return {
        "name": entry.name,
        "id": base_url + entry.href,
        "updated": entry.updated or updated,
        "links": entry.links(),
        "author": entry.author or entry.acl.owner,
        "acl": entry.acl.as_content(),
        "content": content,
    }


def render_feed(feed: Feed, *, base_url: str, updated: str, build: str, version: str) -> str:
    total = len(feed.entries) if feed.total is None else feed.total
    document = {
        "links": {"create": f"/services/{feed.path}/_new"} if feed.create_link else {},
        "origin": f"{base_url}/services/{feed.path}",
        "updated": updated,
        "generator": {"build": build, "version": version},
        "entry": [_entry(e, base_url, updated) for e in feed.entries],
        "paging": {"total": total, "perPage": feed.per_page, "offset": feed.offset},
        "messages": [{"type": kind, "text": text} for kind, text in feed.messages],
    }
    return dumps(document)


def render_entry(entry: Entry, *, base_url: str, updated: str, build: str, version: str) -> str:
    return render_feed(
        Feed(entry.name, entry.path, [entry], 1, 0, 1),
        base_url=base_url,
        updated=updated,
        build=build,
        version=version,
    )


def render_messages(messages: list[tuple[str, str]]) -> str:
    return dumps({"messages": [{"type": kind, "text": text} for kind, text in messages]})
