"""Bot traps without captchas: a honeypot field and a signed, timed form token.

The embed (widget and no-JS form) asks ``GET /embed/token`` or renders a token
into the form; intake turns what comes back into ``comment.signals``, which the
worker's ``bot_hits`` reads. Pure apart from the secret and the clock passed in.

Verdicts of the token (``signals["form_token"]``):

- ``valid``    signed by us, for this site and thread, old enough and not expired
- ``missing``  no token (plain API clients): a weak signal unless the site requires one
- ``invalid``  forged, malformed, expired, or issued for another site or thread
- ``too_fast`` submitted sooner than the minimum fill time after it was issued
- ``reused``   valid, but an earlier accepted comment already came with it (set by
  intake through ``claim``: one token per comment, so a bot cannot fetch one token
  and post a thousand comments with it)
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

#: The one place the form's trap field names are defined (the widget and the
#: no-JS form get them from here).
TOKEN_FIELD = "form_token"
HONEYPOT_FIELD = "homepage"

SALT = "moderato.form-token.v1"
MAX_TOKEN_LENGTH = 512


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def _thread_digest(thread: str) -> str:
    """Return a short digest of a thread id, so a token stays small for long thread URLs."""
    return hashlib.sha256(thread.encode()).hexdigest()[:24]


def issue_token(secret_key: str, site: str, thread: str, now: float) -> str:
    """Return a signed token naming ``site``, ``thread``, the time it was issued and a nonce.

    The nonce makes every token unique, so two readers who open the same article in the
    same second get different tokens and ``claim`` can tell one comment's token from
    another's.
    """
    claims = {"s": site, "t": _thread_digest(thread), "i": int(now), "n": secrets.token_urlsafe(9)}
    return _serializer(secret_key).dumps(claims)


def claim_key(secret_key: str, token: str) -> str:
    """Return the Redis key that marks a (valid) ``token`` as used by an accepted comment.

    The key comes from the signed claims, not from the token's text: the base64 decoder
    skips characters outside its alphabet, so ``token + "!!!"`` still verifies, and a key
    made from the text let a used token pass again with junk appended (found in review).
    """
    claims = _serializer(secret_key).loads(token)
    canonical = json.dumps(claims, sort_keys=True, separators=(",", ":"))
    return "moderato:form-token:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def issued_at(
    secret_key: str, token: Any, *, site: str, thread: str, now: float, max_age: float
) -> int | None:
    """Return when ``token`` was issued, if it is ours, for this site and thread, and unexpired."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        claims = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("i"), int):
        return None
    if claims.get("s") != site or claims.get("t") != _thread_digest(thread):
        return None
    issued: int = claims["i"]
    return None if now - issued > max_age else issued


def check_token(
    secret_key: str,
    token: Any,
    *,
    site: str,
    thread: str,
    now: float,
    min_seconds: float,
    max_age: float,
) -> str:
    """Return the verdict on a submitted form token: valid, missing, invalid or too_fast."""
    if token is None or token == "":
        return "missing"
    issued = issued_at(secret_key, token, site=site, thread=thread, now=now, max_age=max_age)
    if issued is None:
        return "invalid"
    if now - issued < min_seconds:
        return "too_fast"
    return "valid"


def renew_token(
    secret_key: str,
    token: Any,
    *,
    site: str,
    thread: str,
    now: float,
    max_age: float,
    min_seconds: float,
) -> str:
    """Return a new token for a form sent back to its reader after a refused post.

    It counts the time the reader already spent, when the token the form came with is
    ours and still good, so one who fixes a typo within the minimum fill time is not
    taken for a bot; but no more than ``min_seconds`` of it, so the new token lives as
    long as a fresh one (keeping the old issue time, a token near its end expired
    minutes after the form came back; found in review). Otherwise it is issued ``now``.
    The submitted token is never echoed back.
    """
    issued = issued_at(secret_key, token, site=site, thread=thread, now=now, max_age=max_age)
    when = now if issued is None else max(issued, now - min_seconds)
    return issue_token(secret_key, site, thread, when)


def honeypot_filled(payload: Mapping[str, Any]) -> bool:
    """Tell whether the hidden honeypot field came back with anything in it."""
    value = payload.get(HONEYPOT_FIELD)
    if value is None:
        return False
    return not isinstance(value, str) or value.strip() != ""


def signals(
    payload: Mapping[str, Any],
    *,
    secret_key: str,
    site: str,
    thread: str,
    now: float,
    min_seconds: float,
    max_age: float,
) -> dict[str, Any]:
    """Return the bot-trap signals of a browser submission (never the honeypot's value)."""
    found: dict[str, Any] = {
        "form_token": check_token(
            secret_key,
            payload.get(TOKEN_FIELD),
            site=site,
            thread=thread,
            now=now,
            min_seconds=min_seconds,
            max_age=max_age,
        )
    }
    if honeypot_filled(payload):
        found["honeypot"] = True
    return found
