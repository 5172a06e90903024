"""Opaque identifiers: 128 random bits, URL-safe, never sequential."""

from __future__ import annotations

import re
import secrets

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def new_id() -> str:
    """Return a new comment id (22 URL-safe characters, 128 random bits) that starts with a
    letter or digit: a leading ``-`` reads as a formula in a spreadsheet, so the audit CSV
    had to quote such ids and they no longer joined (found in review). Redrawing keeps
    every id equally likely among those that qualify (128 bits less a sliver)."""
    while True:
        value = secrets.token_urlsafe(16)
        if value[0].isalnum():
            return value


def looks_like_id(value: str) -> bool:
    """Tell whether ``value`` has the shape of one of our ids."""
    return bool(ID_PATTERN.match(value))
