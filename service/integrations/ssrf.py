"""The SSRF guard: webhook URLs must resolve to public addresses, unless the setting allows.

Checked when an endpoint is created, again before every delivery (for a clear
error), and at connect time: ``PublicOnlyBackend`` is the network layer of the
delivery client, so the address the socket connects to is the address that was
checked (no DNS-rebinding window between a check and the HTTP client's own
look-up). ``WEBHOOKS_ALLOW_PRIVATE`` lets loopback and private targets through,
for development and tests.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

Resolver = Callable[[str, int], Iterable[str]]


class UnsafeURL(ValueError):
    """A webhook URL we refuse to call: not http(s), or not a public address."""


class Unresolvable(UnsafeURL):
    """The host did not resolve: refused when an endpoint is added, but for a delivery it
    may be a resolver's bad moment (EAI_AGAIN), so the attempt is retried."""


def resolve(host: str, port: int) -> list[str]:
    """Return every address ``host`` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> None:
    """Raise ``UnsafeURL`` unless ``url`` is http(s) and every address it resolves to is public."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("a webhook URL must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise UnsafeURL("a webhook URL must not carry credentials")
    if allow_private:
        return
    public_addresses(parts.hostname, port, resolver)


def public_addresses(host: str, port: int, resolver: Resolver = resolve) -> list[str]:
    """Return what ``host`` resolves to; raise ``UnsafeURL`` unless every address is public."""
    addresses = list(resolver(host, port))
    if not addresses:
        raise UnsafeURL(f"{host} does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not is_public(ip):
            raise UnsafeURL(f"{host} resolves to {ip}, which is not a public address")
    return addresses


#: Ranges no receiver can be at. ``is_global`` passes some of them on some Python versions
#: (3.11 passes most of 192.0.0.0/24, every multicast address and 3fff::/20); the rest are
#: written out so the guard does not depend on the interpreter's tables: "this network",
#: shared address space (carrier-grade NAT), IETF protocol assignments (the whole /24),
#: documentation, the deprecated 6to4 relay anycast (RFC 7526: whoever answers there is
#: whichever relay is nearest, not a receiver), benchmarking, multicast, reserved (with
#: the broadcast address), Teredo (the client's IPv4 address is hidden in it) and IPv6
#: documentation (old and new).
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "2001::/32",
        "2001:db8::/32",
        "3fff::/20",
        "ff00::/8",
    )
)
#: The only IPv6 space allocated for global unicast; everything outside it (site-local
#: fec0::/10, SRv6 5f00::/16, the discard and dummy prefixes 100::/64 and 100:0:0:1::/64, …)
#: is refused unless it stands for an IPv4 address, which is then judged instead.
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return True if ``ip`` is a unicast address a public receiver may have, and so is
    every IPv4 address it stands for."""
    if not ip.is_global or any(ip in net for net in _NOT_PUBLIC):
        return False
    embedded = _embedded_ipv4(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _GLOBAL_UNICAST_V6 and not embedded:
        return False
    return all(is_public(inner) for inner in embedded)


#: IPv6 prefixes that carry an IPv4 address a gateway may forward to (found in review):
#: NAT64 (RFC 6052 well-known and RFC 8215 local-use) in the last 32 bits, 6to4
#: (2002::/16) in bits 16–48, which ``IPv6Address.sixtofour`` extracts, and the deprecated
#: IPv4-compatible ::a.b.c.d.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_COMPAT = ipaddress.ip_network("::/96")


def _embedded_ipv4(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> list[ipaddress.IPv4Address]:
    """Return the IPv4 addresses an IPv6 address stands for (mapped, NAT64, 6to4, compat)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if any(ip in net for net in _NAT64) or (ip in _COMPAT and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


class PublicOnlyBackend(httpcore.NetworkBackend):
    """httpcore's network layer, connecting only to addresses that passed the guard.

    Resolves the host itself, refuses unless every address is public, then connects to
    a checked address. TLS still verifies and sends SNI for the host name (httpcore takes
    it from the URL, not from the socket).
    """

    def __init__(
        self,
        resolver: Resolver = resolve,
        backend: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.resolver = resolver
        self.backend = backend or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first reachable checked address of ``host``."""
        try:
            addresses = public_addresses(host, port, self.resolver)
        except UnsafeURL as exc:
            raise httpcore.ConnectError(f"blocked: {exc}") from exc
        error: Exception | None = None
        for address in addresses:
            try:
                return self.backend.connect_tcp(
                    address.split("%", 1)[0], port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        """Refuse: deliveries never go to a local socket."""
        raise httpcore.ConnectError("blocked: deliveries never use a unix socket")

    def sleep(self, seconds: float) -> None:
        """Sleep like the wrapped backend (httpcore's retry back-off)."""
        self.backend.sleep(seconds)
