"""Opaque identifiers: 128 random bits, URL-safe, never sequential."""

from __future__ import annotations

import re
import secrets

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def new_id() -> str:
    """Return a new comment id (22 URL-safe characters, 128 random bits)."""
    return secrets.token_urlsafe(16)


def looks_like_id(value: str) -> bool:
    """Tell whether ``value`` has the shape of one of our ids."""
    return bool(ID_PATTERN.match(value))
