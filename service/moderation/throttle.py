"""Login throttling in Redis: failed attempts counted per account and per client IP.

Fixed windows of ``LOGIN_WINDOW`` seconds. Logins are refused with 429 and
``Retry-After`` until the window ends after

- ``LOGIN_MAX_FAILURES_ACCOUNT`` failures for one e-mail address (known or not, so
  the answer reveals nothing) *from one IP*: a guesser at one address cannot lock the
  real moderator out from theirs (a per-account limit of 5 let anyone do that with
  five requests; found in review);
- ``LOGIN_MAX_FAILURES_ACCOUNT_TOTAL`` failures for one e-mail address from all
  addresses together: the ceiling on guessing spread over many addresses. Past it, an
  address that has already failed on the account is refused and one that has not gets
  a single try, so the moderator at their own address still gets in;
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
from flask import current_app, request

from service.errors import RateLimited, Unavailable
from service.extensions import redis_conn
from service.security import client_hash

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


def keys_for_request(email: str) -> Keys:
    """Return the counters of a password check for ``email`` from this request's client
    (IPv6 by /64): login and the account page count alike."""
    secret = current_app.config["SECRET_KEY"]
    return keys_for(email, client_hash(secret, request.remote_addr))


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


#: Check every limit, then count the attempt on every counter, in one atomic step. A
#: refused attempt counts nowhere: refused guesses from one address used to fill the
#: account's total and lock it out everywhere (found in review). Past the account's total,
#: an address that has failed on the account gets no more tries and one that has not gets
#: one: a botnet is slowed to one guess per address, the moderator still gets in.
#: Returns {0, 0} when counted, else {which limit (1 account+IP, 2 total, 3 IP), ttl}.
_ATTEMPT = """
local window = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do  -- a counter without expiry (an old bug's) must not refuse for ever
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, window) end
end
local function count(key) return tonumber(redis.call('GET', key) or '0') end
local mine, total, ip = count(KEYS[1]), count(KEYS[2]), count(KEYS[3])
local refused = 0
if mine >= tonumber(ARGV[2]) then refused = 1
elseif ip >= tonumber(ARGV[4]) then refused = 3
elseif total >= tonumber(ARGV[3]) and mine >= 1 then refused = 2 end
if refused > 0 then return {refused, redis.call('TTL', KEYS[refused])} end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, window) end
end
return {0, 0}
"""

#: Give back a successful attempt: forget the account-and-address failures, take one off
#: the others only where they still exist (a DECR on an expired key made a -1 with no
#: expiry, which then counted for ever; found in review).
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
"""


def attempt(keys: Keys) -> None:
    """Count one attempt before the password is checked; raise 429 past a limit.

    Checking and counting are one atomic step: 30 parallel guesses used to get 7 password
    checks against a limit of 5 (found in review). A success gives its count back
    (``succeeded``), so only failures stay counted.
    """
    args = [
        _setting("LOGIN_WINDOW"),
        _setting("LOGIN_MAX_FAILURES_ACCOUNT"),
        _setting("LOGIN_MAX_FAILURES_ACCOUNT_TOTAL"),
        _setting("LOGIN_MAX_FAILURES_IP"),
    ]
    try:
        which, ttl = redis_conn().eval(
            _ATTEMPT, 3, keys.account, keys.account_total, keys.ip, *args
        )
    except redis.RedisError as exc:
        raise _unavailable() from exc
    if int(which):
        what = "address" if int(which) == 3 else "account"
        wait = max(int(ttl), 1)
        raise RateLimited(
            f"Too many failed logins for this {what}; try again in {_minutes(wait)}.",
            code="login_throttled",
            headers={"Retry-After": str(wait)},
        )


def succeeded(keys: Keys) -> None:
    """Forget the account's failures from this address after a successful login, and give
    back this attempt's count on the others (``attempt`` counted it before the password was
    known). Failures from other addresses stay counted: they were not the moderator's."""
    try:
        redis_conn().eval(_SUCCEEDED, 3, keys.account, keys.account_total, keys.ip)
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
