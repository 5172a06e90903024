"""Who is asking: a site's API key (``Authorization: Bearer``) or a moderator's session."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from service.clock import utcnow
from service.errors import Forbidden, KeyUnauthorized, RateLimited
from service.ratelimit import key_limit, limiter, note
from service.security import same_hash, split_api_key
from service.store.tables import ApiKey, Site, User, UserSite


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """A valid, unrevoked API key: its site and scopes."""

    key_id: int
    prefix: str
    site_id: int
    scopes: frozenset[str]

    @property
    def actor(self) -> str:
        """Return the audit name of this key."""
        return f"key:{self.prefix}"


#: How to send a key, in every 401 about the form of the header.
KEY_HINT = "Send the API key as 'Authorization: Bearer <key>'."


def bearer_token() -> str | None:
    """Return the bearer token of the request, or None when it sends no key.

    A key sent any other way (another scheme, ``X-Api-Key``, any other header that carries
    a value shaped like our keys, ``Basic`` credentials holding one, the query or the body)
    is a 401, not "no key": the request would otherwise go through as an anonymous browser
    post to the default site, and the integrator would never learn why its site saw
    nothing. ``Basic`` without a key is left to a reverse proxy that guards the service
    with a password. (The Perspective-compatible endpoints, which read ``X-Goog-Api-Key``
    and ``?key=``, and Akismet's, which read ``api_key``, never call this.)
    """
    header = request.headers.get("Authorization")
    if header is None or header.strip().partition(" ")[0].lower() == "basic":
        if header is None and request.headers.get("X-Api-Key"):
            raise KeyUnauthorized(f"X-Api-Key is not read. {KEY_HINT}", code="invalid_api_key")
        if misplaced := _key_in_headers() or (None if header else _misplaced_key()):
            raise KeyUnauthorized(f"{misplaced} is not read. {KEY_HINT}", code="invalid_api_key")
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise KeyUnauthorized(
            f"The Authorization header has no bearer key. {KEY_HINT}", code="invalid_api_key"
        )
    return token.strip()


def sends_key() -> bool:
    """Tell whether the request carries an API key, in its place or misplaced: it is a
    site's server then, which always gets JSON (docs/contracts.md)."""
    try:
        return bearer_token() is not None
    except KeyUnauthorized:
        return True


#: Where integrators put a key by habit (Akismet's ``api_key``, Perspective's ``?key=``).
MISPLACED_KEY_NAMES = ("api_key", "key", "access_token")

#: What one of our keys looks like anywhere in a header's value (``security.new_api_key``).
KEY_SHAPE = re.compile(r"(?<![A-Za-z0-9])mod_[0-9a-f]{12}_[A-Za-z0-9_-]{16,}")

#: Headers never searched for a key: ``Authorization`` is read above; a browser's cookies
#: and the address of its page are the reader's, not the integrator's.
NOT_SEARCHED = frozenset({"authorization", "cookie", "referer"})


def _key_in_headers() -> str | None:
    """Name the header that carries a value shaped like one of our keys (``X-Goog-Api-Key``,
    ``Api-Key``, ``Basic`` credentials, ...), or None (found in review: such a comment was
    posted anonymously to the default site)."""
    header = request.headers.get("Authorization")
    if header is not None:
        credentials = header.strip().partition(" ")[2].strip()
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            decoded = ""
        if KEY_SHAPE.search(decoded) or KEY_SHAPE.search(credentials):
            return "A key in Basic credentials"
    for name, value in request.headers.items():
        if name.lower() not in NOT_SEARCHED and KEY_SHAPE.search(value):
            return f"The {name} header"
    return None


def _misplaced_key() -> str | None:
    """Name where a key was sent in the query or the body, or None (found in review: such
    a comment was posted anonymously to the default site)."""
    for name in MISPLACED_KEY_NAMES:
        if request.args.get(name):
            return f"?{name}= in the query"
    body: object = None
    try:
        if request.is_json:
            body = request.get_json(silent=True)
        elif request.mimetype == "application/x-www-form-urlencoded":
            body = request.form
    except (RecursionError, HTTPException):  # the view answers an unreadable body
        return None
    if hasattr(body, "get"):
        for name in MISPLACED_KEY_NAMES:
            if isinstance(body.get(name), str) and body.get(name):
                return f"{name!r} in the body"
    return None


def lookup_key(db_session: Session, token: str) -> KeyIdentity | None:
    """Return the identity of an API key token, or None when unknown, revoked or expired."""
    parts = split_api_key(token)
    if parts is None:
        return None
    prefix, secret = parts
    key = db_session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
    if key is None or not key.active(utcnow()) or not same_hash(secret, key.secret_hash):
        return None
    return KeyIdentity(key.id, key.prefix, key.site_id, frozenset(key.scopes or []))


def authenticate(db_session: Session, token: str, scope: str | None = None) -> KeyIdentity:
    """Return a token's key; 401 if unknown, revoked or expired, 403 without ``scope``, 429
    if over its limit."""
    identity = lookup_key(db_session, token)
    if identity is None:
        raise KeyUnauthorized("The API key is unknown, revoked or expired.", code="invalid_api_key")
    if scope is not None and scope not in identity.scopes:
        raise Forbidden(f"This key lacks the {scope!r} scope.", code="insufficient_scope")
    site = db_session.get(Site, identity.site_id)
    limit = key_limit(current_app.config, site.settings if site else None)
    verdict = note(limiter().check(f"key:{identity.prefix}", limit, "key"))
    if verdict is not None and verdict.wait:
        raise RateLimited(
            f"This key is over its limit of {limit.per_minute:g} requests a minute.",
            headers={"Retry-After": str(verdict.wait)},
        )
    _touch(db_session, identity)
    g.api_key = identity
    return identity


def _touch(db_session: Session, identity: KeyIdentity) -> None:
    """Record when a key was last used, at most once a minute (one small write)."""
    now = utcnow()
    db_session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == identity.key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - timedelta(minutes=1)),
        )
        .values(last_used_at=now)
    )


def request_key(db_session: Session, scope: str | None = None) -> KeyIdentity | None:
    """Return the request's bearer key, if any (see ``authenticate`` for 401/403/429)."""
    token = bearer_token()
    if token is None:
        return None
    return authenticate(db_session, token, scope)


def read_key(db_session: Session) -> KeyIdentity | None:
    """Return the bearer key of a public read, or None when it sends none; 401 when the key
    sent is unknown, revoked or expired. Unlike ``request_key`` it spends nothing of the
    key's rate limit (shared with intake: a site rendering its threads with its key would
    starve its own comment posts) and records no use."""
    token = bearer_token()
    if token is None:
        return None
    identity = lookup_key(db_session, token)
    if identity is None:
        raise KeyUnauthorized("The API key is unknown, revoked or expired.", code="invalid_api_key")
    # Its use is recorded too (a key only used to render threads read "never used", and
    # looked safe to revoke; found in review), at most once a minute per process: a
    # write on every read would queue page views behind SQLite's one writer.
    now = time.monotonic()
    if now - _READ_TOUCHED.get(identity.prefix, -60.0) >= 60.0:
        _READ_TOUCHED[identity.prefix] = now
        _touch(db_session, identity)
    return identity


#: When this process last recorded a read key's use (``read_key``), by key prefix.
_READ_TOUCHED: dict[str, float] = {}


#: Session keys besides ``user_id``: when the login happened, and a fingerprint of the password.
LOGIN_AT = "login_at"
PASSWORD_TAG = "pw"
DEFAULT_SESSION_HOURS = 12


def password_tag(user: User) -> str:
    """Return a keyed fingerprint of the user's password hash and session epoch: a new
    password or a logout ends every older session. Keyed, so the (signed, readable)
    cookie carries nothing of the hash itself (it carried the hash's last 12 characters)."""
    message = f"{user.password_hash}|{user.session_epoch or 0}".encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def session_valid(user: User) -> bool:
    """Tell whether the session is younger than its lifetime and predates no password change."""
    hours = float(current_app.config.get("MODERATION_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    started = session.get(LOGIN_AT)
    if not isinstance(started, int) or time.time() - started > hours * 3600:
        return False
    return session.get(PASSWORD_TAG) == password_tag(user)


def session_user(db_session: Session) -> User | None:
    """Return the logged-in, enabled moderator or admin whose session is still valid, or None."""
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db_session.get(User, user_id)
    if user is None or user.disabled or not session_valid(user):
        return None
    return user


def user_can_moderate(db_session: Session, user: User, site_id: int) -> bool:
    """Tell whether ``user`` may see and act on the comments of ``site_id``."""
    if user.role == "admin":
        return True
    row = db_session.get(UserSite, (user.id, site_id))
    return row is not None
