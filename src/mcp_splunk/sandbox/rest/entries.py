"""The shape splunkd gives every REST object: an entry with a name, links, an ACL and content.

Endpoints build ``Entry`` objects and return a ``Feed``; rendering as Atom XML or JSON, paging, filtering and
``| rest`` rows are all derived from that one model, so every endpoint gets them the same way.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

Content = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Acl:
    """An object's ``eai:acl``; splunklib builds follow-up paths from owner, app and sharing."""

    owner: str = "nobody"
    app: str = "search"
    sharing: str = "app"  # user | app | global | system
    read: tuple[str, ...] = ("*",)
    write: tuple[str, ...] = ("admin",)
    can_write: bool = True
    modifiable: bool = True
    removable: bool = False

    def as_content(self) -> Content:
        return {
            "app": self.app,
            "can_list": True,
            "can_write": self.can_write,
            "modifiable": self.modifiable,
            "owner": self.owner,
            # splunkd gives a private object no perms at all: only its owner (and admins) can see it.
            "perms": None if self.sharing == "user" else {"read": list(self.read), "write": list(self.write)},
            "removable": self.removable,
            "sharing": self.sharing,
        }

    @property
    def namespace_owner(self) -> str:
        # Shared objects live under "nobody", as in real splunkd.
        return self.owner if self.sharing == "user" else "nobody"

    @property
    def namespace_app(self) -> str:
        return self.app or "system"


@dataclass(slots=True)
class Entry:
    name: str
    path: str  # collection path below the namespace, e.g. "data/indexes"
    content: Content
    acl: Acl = field(default_factory=Acl)
    author: str | None = None
    updated: str | None = None
    namespaced: bool = True  # False for objects addressed under /services/ only (jobs, server/info)
    extra_links: tuple[str, ...] = ()  # additional rel names, rendered as <href>/<rel>
    bare: bool = False  # title, id and alternate link only: the /services root listing's entries

    @property
    def href(self) -> str:
        name = quote(self.name, safe="")
        if not self.namespaced:
            return f"/services/{self.path}/{name}" if self.path else f"/services/{name}"
        return f"/servicesNS/{quote(self.acl.namespace_owner, safe='')}/{self.acl.namespace_app}/{self.path}/{name}"

    def links(self) -> dict[str, str]:
        href = self.href
        links = {"alternate": href, "list": href}
        if self.acl.can_write and self.namespaced:
            links["edit"] = href
        if self.acl.removable:
            links["remove"] = href
        for rel in self.extra_links:
            links[rel] = f"{href}/{rel}"
        return links


@dataclass(slots=True)
class Feed:
    """A collection response (also used for single-entity GETs, which splunkd answers with a one-entry feed)."""

    title: str
    path: str
    entries: Sequence[Entry]
    total: int | None = None  # before paging; defaults to len(entries)
    offset: int = 0
    per_page: int = 30
    create_link: bool = False
    messages: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """splunkd's common collection parameters."""

    count: int = 30  # <= 0 means all
    offset: int = 0
    search: str | None = None
    sort_key: str = "name"
    sort_dir: str = "asc"
    fields: tuple[str, ...] = ()  # "f" filter on content keys

    def apply(self, title: str, path: str, entries: Sequence[Entry], *, create_link: bool = False) -> Feed:
        selected = [e for e in entries if self._matches(e)] if self.search else list(entries)
        selected.sort(key=self._sort_key, reverse=self.sort_dir == "desc")
        total = len(selected)
        page = selected[self.offset :] if self.count <= 0 else selected[self.offset : self.offset + self.count]
        if self.fields:
            page = [_project(e, self.fields) for e in page]
        per_page = self.count if self.count > 0 else total
        return Feed(title, path, page, total, self.offset, per_page, create_link)

    def _sort_key(self, entry: Entry) -> tuple[int, str]:
        value = entry.name if self.sort_key == "name" else entry.content.get(self.sort_key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (0, f"{value:020.6f}")
        return (1, str(value).lower() if value is not None else "")

    def _matches(self, entry: Entry) -> bool:
        """All terms must hold (implicit AND); ``NOT`` negates the term after it, as in splunkd's filter."""
        assert self.search is not None
        negate = False
        for term in self.search.split():
            if term == "NOT":
                negate = not negate
                continue
            if _term_matches(entry, term) == negate:
                return False
            negate = False
        return True


def _term_matches(entry: Entry, term: str) -> bool:
    # splunkd's "search" filter: "key=value" compares one content key, a bare term matches name or any value.
    # Values compare in their XML form, so booleans are 1/0 as clients see them.
    key, sep, pattern = term.partition("=")
    if sep:
        value = entry.name if key in ("name", "title") else entry.content.get(key)
        return value is not None and fnmatch.fnmatch(_scalar(value).lower(), pattern.lower())
    needle = term.lower().strip("*")
    return needle in entry.name.lower() or any(
        needle in _scalar(v).lower() for v in entry.content.values() if isinstance(v, str | int | float)
    )


def _project(entry: Entry, patterns: tuple[str, ...]) -> Entry:
    content = {k: v for k, v in entry.content.items() if any(fnmatch.fnmatch(k, p) for p in patterns)}
    return Entry(entry.name, entry.path, content, entry.acl, entry.author, entry.updated, entry.namespaced)


def entries_to_rows(feed: Feed, server_name: str, base_url: str) -> list[Content]:
    """Rows for ``| rest``: title, id, author and the content keys, nested dicts flattened to dotted keys."""
    rows: list[Content] = []
    for entry in feed.entries:
        row: Content = {
            "title": entry.name,
            "id": base_url + entry.href,
            "author": entry.author or entry.acl.owner,
            "splunk_server": server_name,
        }
        _flatten("eai:acl", entry.acl.as_content(), row)
        for key, value in entry.content.items():
            _flatten(key, value, row)
        rows.append(row)
    return rows


def _flatten(key: str, value: Any, row: Content) -> None:
    if isinstance(value, dict):
        for sub, item in value.items():
            _flatten(f"{key}.{sub}", item, row)
    elif isinstance(value, list | tuple):
        row[key] = [_scalar(v) for v in value]
    elif value is not None:
        row[key] = _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
