"""Per-key rate limits in Redis: a token bucket (GCRA) checked atomically by one Lua script.

A key may send ``burst`` requests at once and ``per_minute`` sustained; past
that it gets ``RateLimited`` (429) with ``Retry-After``. Failure mode: when
Redis is down the limit is not enforced (logged), so a Redis outage never
turns into refused comments.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis
from flask import g, has_request_context
from redis import Redis

log = logging.getLogger(__name__)

# GCRA: the key holds the "theoretical arrival time" (ms). A request is allowed when
# it arrives no earlier than tat - burst * interval; allowing it moves tat one
# interval on. Returns 0 when allowed, else the milliseconds to wait.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if now < allow_at then
  return allow_at - now
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(math.ceil(new_tat - now), 1))
return 0
"""


@dataclass(frozen=True, slots=True)
class Limit:
    """A sustained rate and a burst size."""

    per_minute: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs per_minute > 0 and burst >= 1")


class RateLimiter:
    """Check and count requests against named buckets in Redis."""

    def __init__(self, connection: Redis, prefix: str = "moderato:rate:") -> None:
        self.connection = connection
        self.prefix = prefix
        self._script = connection.register_script(_GCRA)

    def wait_seconds(self, bucket: str, limit: Limit) -> int:
        """Count one request; return 0 if allowed, else the whole seconds to wait."""
        interval = 60_000.0 / limit.per_minute
        try:
            wait_ms = int(
                self._script(keys=[self.prefix + bucket], args=[interval, interval * limit.burst])
            )
        except redis.RedisError as exc:
            log.warning("rate limit not enforced for %s, Redis unavailable: %s", bucket, exc)
            note_redis_failed()
            return 0
        return max(1, math.ceil(wait_ms / 1000)) if wait_ms > 0 else 0


def note_redis_failed() -> None:
    """Remember, for this request only, that Redis did not answer: its enqueue then does
    not wait out the timeout a second time (a hung Redis made each post take 4 s against
    the 2 s the docs promise; found in review). The sweep queues the comment."""
    if has_request_context():
        g.moderato_redis_failed = True


def redis_failed_in_request() -> bool:
    """Tell whether Redis already failed during this request (see ``note_redis_failed``)."""
    return has_request_context() and bool(g.get("moderato_redis_failed"))


def key_limit(config: Mapping[str, Any], site_settings: Mapping[str, Any] | None) -> Limit:
    """Return a key's limit: its site's ``rate_limit`` setting, else the app's defaults."""
    custom = (site_settings or {}).get("rate_limit") or {}
    return Limit(
        per_minute=float(custom.get("per_minute", config["KEY_RATE_PER_MINUTE"])),
        burst=int(custom.get("burst", config["KEY_RATE_BURST"])),
    )


def limiter() -> RateLimiter:
    """Return the current app's rate limiter (made on first use, on the app's Redis)."""
    from flask import current_app

    from service.extensions import redis_conn

    found = current_app.extensions.get("moderato.ratelimit")
    if found is None:
        found = current_app.extensions["moderato.ratelimit"] = RateLimiter(redis_conn())
    assert isinstance(found, RateLimiter)
    return found
