"""The SSRF guard: webhook URLs must resolve to public addresses, unless the setting allows.

Checked when an endpoint is created and again before every delivery, since
DNS can change in between. ``WEBHOOKS_ALLOW_PRIVATE`` lets loopback and
private targets through, for development and tests.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], Iterable[str]]


class UnsafeURL(ValueError):
    """A webhook URL we refuse to call: not http(s), or not a public address."""


def resolve(host: str, port: int) -> list[str]:
    """Return every address ``host`` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"{host} does not resolve: {exc}") from exc
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
    addresses = list(resolver(parts.hostname, port))
    if not addresses:
        raise UnsafeURL(f"{parts.hostname} does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            raise UnsafeURL(f"{parts.hostname} resolves to {ip}, which is not a public address")
