"""Time in one place: timezone-aware UTC, rendered as RFC 3339.

Everything that asks "what time is it?" calls ``utcnow``. ``travel`` moves this process's
clock for a block, so tests close a window (an author's edit window, a key's grace) without
sleeping; it never runs in production code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

#: How far ``travel`` has moved this process's clock (zero outside tests).
_offset = timedelta(0)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC) + _offset


@contextmanager
def travel(by: timedelta) -> Iterator[None]:
    """Move this process's clock ``by`` (forward or back) for the block; tests only."""
    global _offset
    before = _offset
    _offset = before + by
    try:
        yield
    finally:
        _offset = before


def rfc3339(value: datetime | None) -> str | None:
    """Render ``value`` as RFC 3339 in UTC with a ``Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
