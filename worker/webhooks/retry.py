"""When to try a webhook delivery again: the retry policy, and what an answer means."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long we try, and when an endpoint is given up on."""

    max_attempts: int = 10
    base: float = 5.0
    factor: float = 4.0
    cap: float = 36000.0
    disable_after: float = 5 * 24 * 3600

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> RetryPolicy:
        """Read the policy from the app's ``WEBHOOK_*`` settings."""
        return cls(
            max_attempts=int(cfg["WEBHOOK_MAX_ATTEMPTS"]),
            base=float(cfg["WEBHOOK_RETRY_BASE"]),
            factor=float(cfg["WEBHOOK_RETRY_FACTOR"]),
            cap=float(cfg["WEBHOOK_RETRY_CAP"]),
            disable_after=float(cfg["WEBHOOK_DISABLE_AFTER"]),
        )

    def delay(
        self, attempts: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds before the next try after ``attempts`` failed ones: half fixed, half jitter."""
        full = min(self.cap, self.base * self.factor ** max(attempts - 1, 0))
        delay = full / 2 + rand() * full / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap))
        return delay


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one POST came to."""

    outcome: str  # delivered | retry | failed | gone
    status_code: int | None = None
    error: str | None = None
    latency_ms: float | None = None
    retry_after: float | None = None
    location: str | None = None  # a 3xx answer's Location, as sent (``status_error``)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (seconds or an HTTP date).

    Seconds are ASCII digits only: ``str.isdigit`` also takes ``²`` (a Latin-1 byte a
    receiver may send), which ``float`` refuses, and the ValueError crashed the delivery
    job before the attempt was recorded, so the sweep resent it for ever."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def outcome_of(status: int) -> str:
    """Map an HTTP status to delivered, retry, gone or failed."""
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    if status == 429 or status >= 500:
        return "retry"
    return "failed"


#: How much of a redirect's ``Location`` the delivery log keeps.
MAX_LOCATION = 200


def clean_location(value: str) -> str:
    """Return a ``Location`` fit for the log: printable characters only (no CR/LF, terminal
    escapes or bidi controls), without a password in it, at most ``MAX_LOCATION`` long."""
    text = "".join(c for c in value if c.isprintable()).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is not None and parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        text = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return text if len(text) <= MAX_LOCATION else text[: MAX_LOCATION - 1] + "…"


def status_error(status: int, location: str | None) -> str:
    """Describe a failed answer; a 3xx says where it pointed (redirects are not followed)."""
    if not 300 <= status < 400:
        return f"HTTP {status}"
    where = clean_location(location or "")
    pointed = f" to {where}" if where else " without a Location"
    return f"HTTP {status}{pointed} (redirects are not followed: set the endpoint's URL to it)"
