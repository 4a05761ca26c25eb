"""Atom XML as splunkd writes it (the only format splunklib accepts for entity and collection reads).

Values go in ``s:dict``/``s:key``/``s:list``/``s:item`` of the ``http://dev.splunk.com/ns/rest`` namespace;
splunklib ignores an un-namespaced ``dict``. Booleans are ``1``/``0`` and empty values ``<s:key ...></s:key>``,
which splunklib reads as None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from mcp_splunk.sandbox.rest.entries import Entry, Feed

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Real splunkd opens every feed with this comment and stylesheet PI; clients ignore both.
_PREAMBLE = (
    XML_DECLARATION
    + "<!--This is to override browser formatting; see server.conf[httpServer] to disable."
    + " ." * 100
    + "-->\n"
    + '<?xml-stylesheet type="text/xml" href="/static/atom.xsl"?>\n'
)
_NAMESPACES = (
    'xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
)


def scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _value(value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append("<s:dict>")
        for key, item in value.items():
            out.append(f"<s:key name={quoteattr(str(key))}>")
            _value(item, out)
            out.append("</s:key>")
        out.append("</s:dict>")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("<s:list/>")
            return
        out.append("<s:list>")
        for item in value:
            out.append("<s:item>")
            _value(item, out)
            out.append("</s:item>")
        out.append("</s:list>")
    else:
        out.append(escape(scalar_text(value)))


def render_dict(content: Mapping[str, Any]) -> str:
    out: list[str] = []
    _value(content, out)
    return "".join(out)


def _entry(entry: Entry, base_url: str, updated: str, out: list[str], root: bool = False) -> None:
    out.append(f"<entry {_NAMESPACES}>\n" if root else "  <entry>\n")
    out.append(f"    <title>{escape(entry.name)}</title>\n")
    out.append(f"    <id>{escape(base_url + entry.href)}</id>\n")
    out.append(f"    <updated>{entry.updated or updated}</updated>\n")
    links = entry.links()
    out.append(f'    <link href={quoteattr(links.pop("alternate"))} rel="alternate"/>\n')
    if entry.bare:
        out.append("</entry>\n" if root else "  </entry>\n")
        return
    out.append(f"    <author>\n      <name>{escape(entry.author or entry.acl.owner)}</name>\n    </author>\n")
    for rel, href in links.items():
        out.append(f"    <link href={quoteattr(href)} rel={quoteattr(rel)}/>\n")
    content = dict(entry.content)
    content["eai:acl"] = entry.acl.as_content()
    out.append('    <content type="text/xml">\n      ')
    out.append(render_dict(content))
    out.append("\n    </content>\n")
    out.append("</entry>\n" if root else "  </entry>\n")


def render_feed(feed: Feed, *, base_url: str, updated: str, build: str, version: str) -> str:
    out = [_PREAMBLE, f"<feed {_NAMESPACES}>\n"]
    out.append(f"  <title>{escape(feed.title)}</title>\n")
    out.append(f"  <id>{escape(base_url)}/services/{escape(feed.path)}</id>\n")
    out.append(f"  <updated>{updated}</updated>\n")
    out.append(f'  <generator build="{build}" version="{version}"/>\n')
    out.append("  <author>\n    <name>Splunk</name>\n  </author>\n")
    if feed.create_link:
        out.append(f'  <link href="/services/{escape(feed.path)}/_new" rel="create"/>\n')
    total = len(feed.entries) if feed.total is None else feed.total
    out.append(f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n")
    out.append(f"  <opensearch:itemsPerPage>{feed.per_page}</opensearch:itemsPerPage>\n")
    out.append(f"  <opensearch:startIndex>{feed.offset}</opensearch:startIndex>\n")
    out.append(_messages(feed.messages))
    for entry in feed.entries:
        _entry(entry, base_url, updated, out)
    out.append("</feed>\n")
    return "".join(out)


def render_entry(entry: Entry, *, base_url: str, updated: str) -> str:
    """A bare root ``<entry>``: the shape of a job status (splunklib rejects a feed there)."""
    out = [_PREAMBLE]
    _entry(entry, base_url, updated, out, root=True)
    return "".join(out)


def _messages(messages: list[tuple[str, str]]) -> str:
    if not messages:
        return "  <s:messages/>\n"
    items = "".join(f"<s:msg type={quoteattr(kind)}>{escape(text)}</s:msg>" for kind, text in messages)
    return f"  <s:messages>{items}</s:messages>\n"


def render_response(body: str) -> str:
    """A plain ``<response>`` document (login, sid, errors)."""
    return f"{XML_DECLARATION}<response>\n{body}</response>\n"


def render_messages(messages: list[tuple[str, str]]) -> str:
    items = "".join(f"    <msg type={quoteattr(kind)}>{escape(text)}</msg>\n" for kind, text in messages)
    return render_response(f"  <messages>\n{items}  </messages>\n")


def render_plain(value: Any, out: list[str], indent: str = "") -> None:
    """splunkd's un-namespaced ``<dict>/<list>`` form, used by search/parser in XML mode."""
    if isinstance(value, Mapping):
        out.append(f"{indent}<dict>\n")
        for key, item in value.items():
            out.append(f"{indent}  <key name={quoteattr(str(key))}>")
            if isinstance(item, Mapping | list | tuple):
                out.append("\n")
                render_plain(item, out, indent + "    ")
                out.append(f"{indent}  ")
            else:
                out.append(escape(scalar_text(item)))
            out.append("</key>\n")
        out.append(f"{indent}</dict>\n")
    elif isinstance(value, list | tuple):
        out.append(f"{indent}<list>\n")
        for item in value:
            out.append(f"{indent}  <item>")
            if isinstance(item, Mapping | list | tuple):
                out.append("\n")
                render_plain(item, out, indent + "    ")
                out.append(f"{indent}  ")
            else:
                out.append(escape(scalar_text(item)))
            out.append("</item>\n")
        out.append(f"{indent}</list>\n")
    else:
        out.append(f"{indent}{escape(scalar_text(value))}\n")
