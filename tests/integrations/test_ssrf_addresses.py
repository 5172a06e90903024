"""The SSRF guard's judgement of single addresses, table-driven: pure, no sockets.

``ipaddress.is_global`` alone let through, on Python 3.11, multicast, most of
192.0.0.0/24, IPv6 outside global unicast and the IPv6 forms of such IPv4 addresses;
these tables pin what the guard refuses and what it still lets through."""

from __future__ import annotations

import ipaddress

import pytest

from service.integrations.ssrf import UnsafeURL, check_url, is_public

REFUSED = [
    # IPv4
    ("0.0.0.0", "this network"),
    ("0.1.2.3", "this network"),
    ("100.64.0.1", "shared address space (carrier-grade NAT)"),
    ("100.127.255.254", "shared address space, its last host"),
    ("192.0.0.1", "IETF protocol assignments"),
    ("192.0.0.8", "IETF protocol assignments (is_global on 3.11)"),
    ("192.0.0.9", "PCP anycast, in IETF protocol assignments (is_global on 3.11)"),
    ("192.0.0.10", "TURN anycast, in IETF protocol assignments (is_global on 3.11)"),
    ("192.0.0.255", "IETF protocol assignments, its last address (is_global on 3.11)"),
    ("192.0.2.1", "documentation (TEST-NET-1)"),
    ("192.88.99.1", "deprecated 6to4 relay anycast, RFC 7526 (is_global on 3.11)"),
    ("192.88.99.255", "deprecated 6to4 relay anycast, its last address (is_global on 3.11)"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.254", "benchmarking, its end"),
    ("198.51.100.7", "documentation (TEST-NET-2)"),
    ("203.0.113.7", "documentation (TEST-NET-3)"),
    ("224.0.0.1", "multicast, all hosts (is_global on 3.11)"),
    ("224.0.1.1", "multicast, NTP (is_global on 3.11)"),
    ("233.252.0.1", "multicast, documentation (is_global on 3.11)"),
    ("239.255.255.250", "multicast, SSDP (is_global on 3.11)"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "limited broadcast"),
    # IPv6
    ("ff02::1", "multicast, link-local all nodes (is_global on 3.11)"),
    ("ff05::2", "multicast, site-local (is_global on 3.11)"),
    ("ff0e::1", "multicast, global scope (is_global on 3.11)"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation, RFC 9637 (is_global on 3.11)"),
    ("fec0::1", "deprecated site-local (is_global on 3.11)"),
    ("5f00::1", "SRv6 segment identifiers (is_global on 3.11)"),
    ("100::1", "discard-only"),
    ("100:0:0:1::1", "dummy prefix, outside global unicast (is_global on 3.11)"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001:0:c000:208::1", "Teredo"),
    # IPv6 forms of an IPv4 address that is not public
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::ffff:100.64.0.1", "IPv4-mapped shared address space"),
    ("::ffff:192.0.0.8", "IPv4-mapped IETF protocol assignment"),
    ("::ffff:224.0.0.1", "IPv4-mapped multicast (is_global on 3.11)"),
    ("64:ff9b::a00:1", "NAT64 of 10.0.0.1"),
    ("64:ff9b::c000:8", "NAT64 of 192.0.0.8"),
    ("64:ff9b::c612:1", "NAT64 of benchmarking 198.18.0.1"),
    ("64:ff9b::e000:1", "NAT64 of multicast 224.0.0.1 (passed before)"),
    ("64:ff9b::ffff:ffff", "NAT64 of the broadcast address"),
    ("64:ff9b:1::a9fe:a9fe", "local-use NAT64 of the metadata address"),
    ("2002:a9fe:a9fe::", "6to4 of the metadata address"),
    ("2002:c000:8::", "6to4 of 192.0.0.8"),
    ("2002:e000:1::", "6to4 of multicast 224.0.0.1 (passed before)"),
    ("2002:c058:6301::", "6to4 of the 6to4 relay anycast 192.88.99.1 (passed before)"),
    ("64:ff9b::c058:6301", "NAT64 of the 6to4 relay anycast 192.88.99.1 (passed before)"),
    ("::100.64.0.1", "IPv4-compatible shared address space"),
]

ALLOWED = [
    ("93.184.215.14", "a public IPv4 address"),
    ("1.1.1.1", "anycast unicast"),
    ("192.31.196.1", "AS112, globally reachable"),
    ("192.175.48.1", "AS112 direct delegation, globally reachable"),
    ("192.88.98.255", "just below the 6to4 relay anycast /24"),
    ("192.88.100.0", "just above the 6to4 relay anycast /24"),
    ("2606:4700::1111", "a public IPv6 address"),
    ("2620:4f:8000::1", "AS112 IPv6, globally reachable"),
    ("::ffff:93.184.215.14", "IPv4-mapped public"),
    ("64:ff9b::5db8:d70e", "NAT64 of a public address (DNS64 on an IPv6-only network)"),
    ("2002:5db8:d70e::", "6to4 of a public address"),
]


def refused(address: str) -> bool:
    """Return True if a URL whose host resolves to ``address`` is refused."""
    try:
        check_url("https://hooks.example/x", allow_private=False, resolver=lambda h, p: [address])
    except UnsafeURL:
        return True
    return False


@pytest.mark.parametrize(("address", "why"), REFUSED, ids=[a for a, _ in REFUSED])
def test_addresses_no_receiver_can_have_are_refused(address: str, why: str) -> None:
    """Multicast, broadcast, reserved, shared, benchmarking, documentation, IETF protocol
    and Teredo addresses, IPv6 outside global unicast, and every IPv6 form of such an IPv4
    address are refused, whatever ``is_global`` says of them."""
    assert refused(address), why
    assert not is_public(ipaddress.ip_address(address)), why


@pytest.mark.parametrize(("address", "why"), ALLOWED, ids=[a for a, _ in ALLOWED])
def test_public_unicast_addresses_still_pass(address: str, why: str) -> None:
    """Globally reachable unicast addresses, and IPv6 forms of public IPv4 ones, pass."""
    assert not refused(address), why
    assert is_public(ipaddress.ip_address(address)), why


def test_a_multicast_address_among_public_ones_is_refused() -> None:
    """One multicast answer among public ones is enough to refuse, as for private ones."""
    with pytest.raises(UnsafeURL, match=r"224\.0\.0\.251, which is not a public address"):
        check_url(
            "https://hooks.example/x",
            allow_private=False,
            resolver=lambda h, p: ["93.184.215.14", "224.0.0.251"],
        )
