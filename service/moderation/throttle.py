"""Login throttling in Redis: failed attempts counted per account and per client IP.

Fixed windows of ``LOGIN_WINDOW`` seconds. Logins are refused with 429 and
``Retry-After`` until the window ends after

- ``LOGIN_MAX_FAILURES_ACCOUNT`` failures for one e-mail address (known or not, so
  the answer reveals nothing) *from one IP*: a guesser at one address cannot lock the
  real moderator out from theirs (a per-account limit of 5 let anyone do that with
  five requests; found in review);
- ``LOGIN_MAX_FAILURES_ACCOUNT_TOTAL`` failures for one e-mail address from all
  addresses together: the ceiling on guessing spread over many addresses;
- ``LOGIN_MAX_FAILURES_IP`` failures from one IP, across accounts.

Every attempt is counted before its password is checked (atomically, so parallel
guesses cannot slip past the limit); a successful login clears its account-and-IP
counter and gives back its own count on the others. The same counters guard the
current-password check of the account page. IPs are kept only as keyed hashes.

Failure mode: when Redis is unreachable we cannot count, so we do not accept
password guesses either: login answers 503 with ``Retry-After``.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app

from service.errors import RateLimited, Unavailable
from service.extensions import redis_conn

DEFAULTS = {
    "LOGIN_MAX_FAILURES_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_ACCOUNT_TOTAL": 100,
    "LOGIN_MAX_FAILURES_IP": 20,
    "LOGIN_WINDOW": 900,
}
PREFIX = "moderato:login:"


@dataclass(frozen=True, slots=True)
class Keys:
    """The three counters one login attempt touches."""

    account: str  # this account from this IP
    account_total: str  # this account from any IP
    ip: str  # this IP, any account


def keys_for(email: str, ip_hash: str | None) -> Keys:
    """Return the Redis keys counting failures for ``email`` and the client's IP hash."""
    account, ip = email.strip().lower(), ip_hash or "unknown"
    return Keys(f"{PREFIX}acct-ip:{ip}:{account}", f"{PREFIX}acct:{account}", f"{PREFIX}ip:{ip}")


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def attempt(keys: Keys) -> None:
    """Count one attempt before the password is checked; raise 429 past either limit.

    Counting first, in one atomic step, closes the race of check-then-count: 30 parallel
    guesses used to get 7 password checks against a limit of 5 (found in review). A
    success gives its count back (``succeeded``), so only failures stay counted.
    """
    window = _setting("LOGIN_WINDOW")
    limits = (
        (keys.account, _setting("LOGIN_MAX_FAILURES_ACCOUNT"), "account"),
        (keys.account_total, _setting("LOGIN_MAX_FAILURES_ACCOUNT_TOTAL"), "account"),
        (keys.ip, _setting("LOGIN_MAX_FAILURES_IP"), "address"),
    )
    try:
        conn = redis_conn()
        pipe = conn.pipeline(transaction=True)
        for key, _, _ in limits:
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
        counts = pipe.execute()[1::2]
        for (key, limit, what), count in zip(limits, counts, strict=True):
            if int(count) > limit:
                wait = max(int(conn.ttl(key)), 1)
                raise RateLimited(
                    f"Too many failed logins for this {what}; try again in {_minutes(wait)}.",
                    code="login_throttled",
                    headers={"Retry-After": str(wait)},
                )
    except redis.RedisError as exc:
        raise _unavailable() from exc


def succeeded(keys: Keys) -> None:
    """Forget the account's failures from this address after a successful login, and give
    back this attempt's count on the others (``attempt`` counted it before the password was
    known). Failures from other addresses stay counted: they were not the moderator's."""
    try:
        pipe = redis_conn().pipeline()
        pipe.delete(keys.account)
        pipe.decr(keys.account_total)
        pipe.decr(keys.ip)
        pipe.execute()
    except redis.RedisError as exc:
        raise _unavailable() from exc


def _unavailable() -> Unavailable:
    return Unavailable(
        "Login is unavailable while Redis is down (failed attempts cannot be counted).",
        headers={"Retry-After": "10"},
    )


def _minutes(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
