"""Keyed hashes and secrets: IP hashes, avatar hashes, API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "mod_"


def ip_hash(secret_key: str, ip: str | None) -> str | None:
    """Return a keyed hash of a client IP (we never store the address itself)."""
    if not ip:
        return None
    return hmac.new(secret_key.encode(), b"ip:" + ip.encode(), hashlib.sha256).hexdigest()[:32]


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
