"""The client's address behind trusted reverse proxies, from ``X-Forwarded-For`` and RFC 7239 ``Forwarded``.

Anyone can send these headers, so they are read only when the TCP peer is one of the operator's trusted proxies
(``MCP_SPLUNK_TRUSTED_PROXIES``). Each proxy appends the address it received the request from, so the chain is
walked from the right: trusted addresses are proxies and are passed over, and the first address that is not
trusted is the client. The walk stops there, so whatever the client itself wrote further left (a forged address,
``unknown``, garbage) is never read: it can neither claim another address nor hide its own.

A hop that cannot be read on the way, because it is ``unknown``, obfuscated (``_hidden``), missing from its
``Forwarded`` element or not an address at all, means the chain cannot be followed to the client: the answer is
then the TCP peer, the proxy itself, so such callers share the proxy's identity and never gain one of their own.
If every address is trusted, the request started at a trusted host and the leftmost address names it.

When a request carries both headers, each is walked and the answer is believed only if both agree; otherwise it
is the peer. A proxy that writes one of them passes the other through from the client untouched (nginx's
``$proxy_add_x_forwarded_for`` and HAProxy's ``option forwardfor`` leave ``Forwarded`` alone), so preferring
either one would let the client choose its own address.

Ports are dropped and IPv4-mapped IPv6 addresses unmapped: the result names a host, so that the rate limit and the
audit log see one client per address, not one per connection.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# RFC 7239 section 6: a node port is digits or an obfuscated "_" identifier.
_PORT = r"(?:[0-9]{1,5}|_[A-Za-z0-9._-]+)"
_BRACKETED = re.compile(rf"\[([^\]]+)\](?::{_PORT})?")
_IPV4_WITH_PORT = re.compile(rf"([0-9.]+):{_PORT}")
# One forwarded-pair. Values are a quoted string or a run without quotes, separators or spaces; the node inside is
# checked afterwards, so being lenient here (an unquoted "[2001:db8::1]") cannot let a non-address through.
_PAIR = re.compile(r'\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)=("(?:[^"\\]|\\.)*"|[^\s";,=]+)\s*')
_ESCAPE = re.compile(r"\\(.)")


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """The networks of ``MCP_SPLUNK_TRUSTED_PROXIES`` entries (addresses or CIDRs; host bits are allowed)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def client_address(peer: str | None, headers: Iterable[tuple[str, str]], trusted: Sequence[IPNetwork]) -> str | None:
    """The caller's address: ``peer`` (the TCP peer) unless it is a trusted proxy whose headers name the client."""
    peer_address = _address(peer) if peer is not None and trusted else None
    if peer_address is None or not _is_trusted(peer_address, trusted):
        return peer
    forwarded: list[str] = []
    x_forwarded_for: list[str] = []
    for name, value in headers:  # several header lines are one comma-separated list, in order (RFC 9110 5.3)
        if name.lower() == "forwarded":
            forwarded.append(value)
        elif name.lower() == "x-forwarded-for":
            x_forwarded_for.append(value)
    answers: set[IPAddress | None] = set()
    if forwarded:
        answers.add(_walk((_forwarded_for(element) for element in _elements(forwarded)), trusted))
    if x_forwarded_for:
        answers.add(_walk((_address(entry) for entry in _elements(x_forwarded_for)), trusted))
    if len(answers) != 1:  # neither header, or the two disagree
        return peer
    (answer,) = answers
    return peer if answer is None else str(answer)


def _elements(values: list[str]) -> list[str]:
    """The list elements of the header lines, rightmost first; empty elements are ignored (RFC 9110 5.6.1).

    Commas are not matched against quotes: a proxy's element never holds one, and reading only from the right
    means a quote the client left open cannot swallow the elements its proxies appended.
    """
    elements = [element.strip() for element in ",".join(values).split(",")]
    return [element for element in reversed(elements) if element]


def _walk(hops: Iterable[IPAddress | None], trusted: Sequence[IPNetwork]) -> IPAddress | None:
    """The first untrusted address, rightmost first; None when a hop before it cannot be read, or there is none."""
    last: IPAddress | None = None
    for hop in hops:
        if hop is None:
            return None
        if not _is_trusted(hop, trusted):
            return hop
        last = hop
    return last


def _forwarded_for(element: str) -> IPAddress | None:
    """The address in a ``Forwarded`` element's ``for=``; None if it has none, or the element is malformed."""
    node: str | None = None
    for pair in element.split(";"):  # semicolons are not matched against quotes either, as in _elements
        if not pair.strip():  # the grammar allows empty pairs: "for=192.0.2.1;;proto=https;"
            continue
        match = _PAIR.fullmatch(pair)
        if match is None:
            return None
        if match[1].lower() == "for":
            if node is not None:  # a parameter occurs at most once per element (RFC 7239 section 4)
                return None
            value = match[2]
            node = _ESCAPE.sub(r"\1", value[1:-1]) if value.startswith('"') else value
    return None if node is None else _address(node)


def _address(node: str) -> IPAddress | None:
    """The address of ``1.2.3.4``, ``1.2.3.4:80``, ``2001:db8::1``, ``[2001:db8::1]`` or ``[2001:db8::1]:80``.

    None for anything else, including ``unknown`` and obfuscated identifiers.
    """
    text = node.strip()
    bracketed = _BRACKETED.fullmatch(text)
    with_port = _IPV4_WITH_PORT.fullmatch(text)
    try:
        if bracketed:
            address: IPAddress = ipaddress.IPv6Address(bracketed[1])
        elif with_port:
            address = ipaddress.IPv4Address(with_port[1])
        else:
            address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket's view of an IPv4 client: the same host
    return address


def _is_trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in trusted)
