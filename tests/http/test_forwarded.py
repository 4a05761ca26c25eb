"""The client's address behind trusted proxies, from X-Forwarded-For and Forwarded, as a pure function."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.http.forwarded import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8:ffff::/48"])
PROXY = "10.0.0.1"
PROPERTY = settings(max_examples=300, deadline=None)


def untrusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    host = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
    return not any(host in network for network in PROXIES)


CLIENTS = st.ip_addresses().filter(untrusted)
HOPS = st.lists(st.sampled_from(["10.0.0.2", "10.255.0.9", "2001:db8:ffff::7"]), max_size=3)
HEADER_TEXT = st.text(st.characters(codec="latin-1"), max_size=40)


def xff(*values: str, peer: str = PROXY) -> str | None:
    return client_address(peer, [("X-Forwarded-For", value) for value in values], PROXIES)


def fwd(*values: str, peer: str = PROXY) -> str | None:
    return client_address(peer, [("Forwarded", value) for value in values], PROXIES)


def expected(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return str(mapped or address)


def as_xff(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int | None) -> str:
    if port is None:
        return str(address)
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def as_forwarded(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int | None) -> str:
    node = f"[{address}]" if address.version == 6 else str(address)
    return f'for="{node}:{port}"' if port is not None else f'for="{node}"'


# -- an untrusted peer changes nothing ------------------------------------------------------------------------
@PROPERTY
@given(peer=CLIENTS, name=st.sampled_from(["X-Forwarded-For", "x-forwarded-for", "Forwarded", "FORWARDED"]))
def test_forwarding_headers_from_an_untrusted_peer_are_never_read(
    peer: ipaddress.IPv4Address | ipaddress.IPv6Address, name: str
) -> None:
    assert client_address(str(peer), [(name, "203.0.113.7"), (name, "for=203.0.113.8")], PROXIES) == str(peer)


@PROPERTY
@given(value=HEADER_TEXT)
def test_with_no_trusted_proxy_any_header_leaves_the_peer(value: str) -> None:
    headers = [("X-Forwarded-For", value), ("Forwarded", value)]
    assert client_address("127.0.0.1", headers, ()) == "127.0.0.1"
    assert client_address("127.0.0.1", headers, parse_networks([])) == "127.0.0.1"


def test_a_peer_that_is_not_an_address_is_left_as_it_is() -> None:
    assert client_address("testclient", [("X-Forwarded-For", "203.0.113.7")], PROXIES) == "testclient"
    assert client_address(None, [("X-Forwarded-For", "203.0.113.7")], PROXIES) is None


def test_a_trusted_peer_without_forwarding_headers_is_the_client() -> None:
    assert client_address(PROXY, [("Host", "gateway")], PROXIES) == PROXY


# -- the walk from the right ------------------------------------------------------------------------------------
@PROPERTY
@given(client=CLIENTS, hops=HOPS, port=st.none() | st.integers(0, 65535), prefix=HEADER_TEXT)
def test_the_first_untrusted_address_from_the_right_is_the_client_whatever_the_client_wrote_left_of_it(
    client: ipaddress.IPv4Address | ipaddress.IPv6Address, hops: list[str], port: int | None, prefix: str
) -> None:
    # What a client sends itself arrives to the left of every entry its proxies append: it can neither pretend to
    # be someone else nor make its own address unreadable.
    assert xff(", ".join([prefix, as_xff(client, port), *hops])) == expected(client)
    trusted = [as_forwarded(ipaddress.ip_address(hop), None) for hop in hops]
    assert fwd(", ".join([prefix, as_forwarded(client, port), *trusted])) == expected(client)


def test_trusted_hops_are_passed_over() -> None:
    assert xff("198.51.100.1, 203.0.113.7, 10.1.1.1, 10.2.2.2") == "203.0.113.7"
    assert fwd("for=198.51.100.1, for=203.0.113.7, for=10.1.1.1;proto=https, for=10.2.2.2") == "203.0.113.7"


def test_a_chain_of_trusted_addresses_names_its_leftmost_hop() -> None:
    assert xff("10.9.9.9, 10.1.1.1") == "10.9.9.9"


def test_several_header_lines_are_one_list_in_their_order() -> None:
    assert xff("198.51.100.1", "203.0.113.7, 10.1.1.1", "10.2.2.2") == "203.0.113.7"
    assert fwd("for=198.51.100.1", "for=203.0.113.7", "for=10.2.2.2") == "203.0.113.7"


def test_spaces_and_empty_list_elements_are_ignored() -> None:
    assert xff("  203.0.113.7 ,, 10.1.1.1  ,") == "203.0.113.7"
    assert fwd(" for=203.0.113.7 ; proto=https ,, for=10.1.1.1 ") == "203.0.113.7"


# -- address forms -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "client"),
    [
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("203.0.113.7:4711", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_x_forwarded_for_names_ipv6_and_ported_clients_by_their_address_alone(value: str, client: str) -> None:
    assert xff(value) == client


@pytest.mark.parametrize(
    ("value", "client"),
    [
        ('for="[2001:db8::1]:4711"', "2001:db8::1"),
        ('for="[2001:db8::1]"', "2001:db8::1"),
        ("for=[2001:db8::1]", "2001:db8::1"),
        ('for="203.0.113.7:4711"', "203.0.113.7"),
        ('for="203.0.113.7:_p1"', "203.0.113.7"),
        ("For=203.0.113.7;Proto=https;by=10.0.0.1", "203.0.113.7"),
        ("for=203.0.113.7;;proto=https;", "203.0.113.7"),
        ('for="\\203.0.113.7"', "203.0.113.7"),
    ],
)
def test_forwarded_names_ipv6_and_ported_clients_by_their_address_alone(value: str, client: str) -> None:
    assert fwd(value) == client


def test_a_peer_on_an_ipv4_mapped_address_is_trusted_as_the_ipv4_address() -> None:
    assert xff("203.0.113.7", peer="::ffff:10.0.0.1") == "203.0.113.7"


def test_a_trusted_ipv6_peer_is_believed() -> None:
    assert fwd('for="[2001:db8::1]:4711"', peer="2001:db8:ffff::1") == "2001:db8::1"


# -- hops that cannot be read: the peer, never anything a client chose --------------------------------------------
@pytest.mark.parametrize("hop", ["unknown", "_hidden", "_SEVKISEK", "UNKNOWN"])
def test_an_unknown_or_obfuscated_hop_before_the_client_leaves_the_peer(hop: str) -> None:
    assert xff(f"203.0.113.7, {hop}, 10.1.1.1") == PROXY
    assert fwd(f"for=203.0.113.7, for={hop}, for=10.1.1.1") == PROXY
    assert fwd(f'for="{hop}:4711"') == PROXY


def test_an_unknown_hop_left_of_the_client_is_never_read() -> None:
    assert xff("unknown, 203.0.113.7") == "203.0.113.7"
    assert fwd("for=_hidden, for=203.0.113.7") == "203.0.113.7"


@pytest.mark.parametrize(
    "value",
    [
        "203.0.113.7.",
        "203.0.113.007",
        "evil.example",
        "203.0.113.7 10.1.1.1",
        "[203.0.113.7]",
        "[2001:db8::1",
        "2001:db8::1:4711:",
        "203.0.113.7:99999999",
        "0x7f.1",
    ],
)
def test_a_hop_that_is_not_an_address_makes_the_header_useless(value: str) -> None:
    assert xff(f"198.51.100.1, {value}") == PROXY


def test_an_empty_header_leaves_the_peer() -> None:
    assert xff(" , ") == PROXY
    assert fwd("") == PROXY


@pytest.mark.parametrize(
    "value",
    [
        "203.0.113.7",
        "for=",
        "for 203.0.113.7",
        "for=203.0.113.7 junk",
        'for="203.0.113.7',
        "for=203.0.113.7;for=198.51.100.1",
        "proto=https",
        "for=evil.example",
        'for="[2001:db8::1]:4711:80"',
    ],
)
def test_a_forwarded_element_without_a_readable_for_makes_the_header_useless(value: str) -> None:
    assert fwd(f"for=198.51.100.1, {value}") == PROXY


def test_an_unterminated_quote_from_the_client_cannot_swallow_what_its_proxy_appended() -> None:
    assert fwd('for="198.51.100.1, for=203.0.113.7') == "203.0.113.7"


# -- both headers ----------------------------------------------------------------------------------------------
def test_both_headers_are_believed_when_they_name_the_same_client() -> None:
    headers = [("X-Forwarded-For", "203.0.113.7:4711, 10.1.1.1"), ("Forwarded", 'for="203.0.113.7", for=10.1.1.1')]
    assert client_address(PROXY, headers, PROXIES) == "203.0.113.7"


@PROPERTY
@given(claimed=CLIENTS, real=CLIENTS)
def test_when_the_headers_disagree_the_client_cannot_choose_which_one_counts(
    claimed: ipaddress.IPv4Address | ipaddress.IPv6Address, real: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> None:
    # A proxy that appends one header passes the other through from the client as it came.
    behind_xff_proxy = [("Forwarded", as_forwarded(claimed, None)), ("X-Forwarded-For", str(real))]
    behind_forwarded_proxy = [("X-Forwarded-For", str(claimed)), ("Forwarded", as_forwarded(real, None))]
    agreeing = expected(claimed) == expected(real)
    for headers in (behind_xff_proxy, behind_forwarded_proxy):
        assert client_address(PROXY, headers, PROXIES) == (expected(real) if agreeing else PROXY)


def test_a_garbled_header_of_one_kind_is_not_rescued_by_the_other() -> None:
    headers = [("Forwarded", "for=unknown"), ("X-Forwarded-For", "203.0.113.7")]
    assert client_address(PROXY, headers, PROXIES) == PROXY


# -- the operator's list ---------------------------------------------------------------------------------------
def test_trusted_entries_are_addresses_or_networks_with_host_bits_allowed() -> None:
    assert parse_networks([" 127.0.0.1", "10.1.2.3/8", "::1"]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
