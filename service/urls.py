"""Rewriting the query string of a page's URL (the no-JS form and thread go back to a
publisher's page with our parameters changed and theirs kept)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def with_query(
    url: str, drop: Iterable[str], add: Iterable[tuple[str, str]] = (), fragment: str = ""
) -> str:
    """Return ``url`` without the query parameters named in ``drop``, with ``add`` appended
    and ``fragment`` in place of its own."""
    parts = urlsplit(url)
    dropped = set(drop)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in dropped]
    return urlunsplit(parts._replace(query=urlencode([*kept, *add]), fragment=fragment))
