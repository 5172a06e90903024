"""Per-key rate limits in Redis: a token bucket (GCRA) checked atomically by one Lua script.

A key may send ``burst`` requests at once and ``per_minute`` sustained; past
that it gets ``RateLimited`` (429) with ``Retry-After``. Failure mode: when
Redis is down the limit is not enforced (logged), so a Redis outage never
turns into refused comments.

Every answer to a request that counted against a bucket says where it stands, in the
IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-10, the current one):
``RateLimit-Policy: "key";q=100;w=10`` (the bucket holds ``q`` requests and refills in
``w`` seconds: 600 a minute) and ``RateLimit: "key";r=99;t=1`` (``r`` requests may go at
once now; the bucket is full again in ``t`` seconds). ``note``/``add_headers`` carry them
from the check to the answer, a 429 included.
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
# interval on. Returns {0 when allowed, else the milliseconds to wait; the milliseconds
# until the bucket is full again}.
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
  return {math.ceil(allow_at - now), math.floor(tat - now)}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(math.ceil(new_tat - now), 1))
return {0, math.floor(new_tat - now)}
"""


@dataclass(frozen=True, slots=True)
class Limit:
    """A sustained rate and a burst size."""

    per_minute: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs per_minute > 0 and burst >= 1")


@dataclass(frozen=True, slots=True)
class Verdict:
    """One counted request: how long to wait (0: allowed), what is left, when it is full."""

    policy: str  # "key" or "client": which bucket, as the headers name it
    limit: Limit
    wait: int  # whole seconds (Retry-After); 0 when allowed
    remaining: int  # requests that may go at once now
    reset: int  # whole seconds until the bucket is full again

    def headers(self) -> dict[str, str]:
        """Return the draft's ``RateLimit-Policy`` and ``RateLimit`` fields."""
        window = max(1, math.ceil(self.limit.burst * 60 / self.limit.per_minute))
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.limit.burst};w={window}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset}',
        }


class RateLimiter:
    """Check and count requests against named buckets in Redis."""

    def __init__(self, connection: Redis, prefix: str = "moderato:rate:") -> None:
        self.connection = connection
        self.prefix = prefix
        self._script = connection.register_script(_GCRA)

    def check(self, bucket: str, limit: Limit, policy: str = "key") -> Verdict | None:
        """Count one request; return the verdict, or None when Redis did not answer (the
        limit is not enforced then)."""
        interval = 60_000.0 / limit.per_minute
        try:
            wait_ms, used_ms = (
                int(v)
                for v in self._script(
                    keys=[self.prefix + bucket], args=[interval, interval * limit.burst]
                )
            )
        except redis.RedisError as exc:
            log.warning("rate limit not enforced for %s, Redis unavailable: %s", bucket, exc)
            note_redis_failed()
            return None
        wait = max(1, math.ceil(wait_ms / 1000)) if wait_ms > 0 else 0
        left = 0 if wait else int((interval * limit.burst - used_ms) // interval)
        return Verdict(policy, limit, wait, max(left, 0), math.ceil(max(used_ms, 0) / 1000))


def note(verdict: Verdict | None) -> Verdict | None:
    """Keep the request's verdict for its answer's headers (``add_headers``); return it."""
    if verdict is not None and has_request_context():
        g.moderato_rate = verdict
    return verdict


def add_headers(resp: Any) -> Any:
    """Put the request's ``RateLimit-Policy`` and ``RateLimit`` on its answer (success or
    error, the 429 beside its ``Retry-After``), when the request counted against a bucket."""
    verdict: Verdict | None = g.get("moderato_rate")
    if verdict is not None:
        for name, value in verdict.headers().items():
            resp.headers.setdefault(name, value)
    return resp


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
