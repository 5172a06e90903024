"""Keyed hashes and secrets: IP hashes, avatar hashes, API keys."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

KEY_PREFIX = "mod_"


def canonical_ip(ip: str) -> str:
    """Return one spelling per address: IPv4-mapped IPv6 (``::ffff:203.0.113.7``, what a
    dual-stack server reports) as IPv4, IPv6 compressed and without a zone id; anything
    that is not an address as given. Found in review: a reader banned by IP hash from a
    browser comment got another hash through a dual-stack backend."""
    try:
        parsed = ipaddress.ip_address(ip.partition("%")[0] if ":" in ip else ip)
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


def ip_hash(secret_key: str, ip: str | None) -> str | None:
    """Return a keyed hash of a client IP (we never store the address itself)."""
    if not ip:
        return None
    value = canonical_ip(ip).encode()
    return hmac.new(secret_key.encode(), b"ip:" + value, hashlib.sha256).hexdigest()[:32]


def client_hash(secret_key: str, ip: str | None) -> str | None:
    """Return a keyed hash of the client a rate limit or a one-per-reader rule counts: the
    address for IPv4, its /64 network for IPv6 (one subscriber holds a whole /64, so per
    address one reader was billions of readers; found in review)."""
    if not ip:
        return None
    value = canonical_ip(ip)  # IPv4-mapped as IPv4, no zone id
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        return ip_hash(secret_key, ip)
    if isinstance(parsed, ipaddress.IPv6Address):
        network = ipaddress.ip_network(f"{parsed}/64", strict=False)
        return ip_hash(secret_key, f"net:{network}")
    return ip_hash(secret_key, value)


def reporter_hash(secret_key: str, site_id: int, reporter: str | None) -> str:
    """Return a keyed hash of who reports through a site's server: the reader's id in the
    site's own system (``reporter``), or, without one, the site's server itself (one
    reader: its retries and duplicates count once)."""
    who = f"reporter:{site_id}:{reporter}" if reporter else f"server:{site_id}"
    return hmac.new(secret_key.encode(), who.encode(), hashlib.sha256).hexdigest()[:32]


def avatar_hash(email: str) -> str:
    """Return SHA-256 of the trimmed, lower-cased e-mail, as Gravatar accepts."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made API key: shown once, stored as prefix + hash."""

    token: str
    prefix: str
    secret_hash: str


def new_api_key() -> NewKey:
    """Make an API key ``mod_<prefix>_<secret>``."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(f"{KEY_PREFIX}{prefix}_{secret}", prefix, hash_secret(secret))


def hash_secret(secret: str) -> str:
    """Hash a high-entropy key secret (a fast hash suffices for 256 random bits)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(token: str) -> tuple[str, str] | None:
    """Split ``mod_<prefix>_<secret>`` into prefix and secret, or None if malformed."""
    if not token.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix, secret


def same_hash(secret: str, expected_hash: str) -> bool:
    """Compare a presented secret with a stored hash in constant time."""
    return hmac.compare_digest(hash_secret(secret), expected_hash)
