"""The signed links of the mails: confirm a subscription, unsubscribe from one.

A confirmation link names the subscription and its current nonce and expires after
``MAIL_CONFIRM_MAX_AGE``: a newer confirmation mail, or an unsubscribe, changes the nonce,
so an older link stops working. An unsubscribe link never expires (a mail read months
later must still be able to stop the next one, RFC 8058); it names the subscription and
the address it was mailed to (a keyed hash of it, so the link does not reveal it), and is
used only on that address's subscription: a link from before an erasure can never stop
someone else's mail. Both are signed with ``SECRET_KEY`` (HMAC, itsdangerous); anything
altered is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64encode
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_PATH = "/mail/confirm"
UNSUBSCRIBE_PATH = "/mail/unsubscribe"
CONFIRM_SALT = "moderato.mail-confirm.v1"
UNSUBSCRIBE_SALT = "moderato.mail-unsubscribe.v2"
ADDRESS_SALT = b"moderato.mail-address.v1"
MAX_TOKEN_LENGTH = 256


class BadLink(ValueError):
    """The link was not made by us, or was changed or cut on the way."""


class ExpiredLink(BadLink):
    """A confirmation link past its lifetime (or replaced by a newer one)."""


def confirm_token(secret_key: str, subscription_id: int, nonce: str) -> str:
    """Return the token of a confirmation link."""
    return URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT).dumps(
        {"s": subscription_id, "n": nonce}
    )


def address_tag(secret_key: str, email: str) -> str:
    """Return the short keyed hash of an address (trimmed, lower-cased) a link carries.

    Made from a subscription's own ``email`` and checked against that same column, which
    a row never changes (``notify.outbox.address`` makes it; rows made before it was the
    key's form keep theirs): the tag tells rows apart, it never compares two spellings
    (the key does that, ``service.addresses.email_key``). So it stays ``strip().lower()``
    as mailed since the first link: hashing the key instead would silently break the
    links already mailed for rows such as ``j`` + a combining caron (tests/service/
    test_notify_mailed_addresses.py remakes such a link by hand)."""
    key = hmac.new(secret_key.encode(), ADDRESS_SALT, hashlib.sha256).digest()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:12]).decode()


def unsubscribe_token(secret_key: str, subscription_id: int, email: str) -> str:
    """Return the token of an unsubscribe link for ``email``'s subscription (no expiry)."""
    claims = {"s": subscription_id, "a": address_tag(secret_key, email)}
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps(claims)


def names_address(secret_key: str, tag: str, email: str) -> bool:
    """Tell whether an unsubscribe token's ``tag`` is that of ``email``."""
    return hmac.compare_digest(tag.encode(), address_tag(secret_key, email).encode())


def _claims(loaded: Any) -> dict[str, Any]:
    if not isinstance(loaded, dict) or not isinstance(loaded.get("s"), int):
        raise BadLink("not one of our links")
    return loaded


def read_confirm(secret_key: str, token: str | None, max_age: int) -> tuple[int, str]:
    """Return the subscription id and nonce a confirmation token names."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadLink("no token")
    serializer = URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)
    try:
        claims = _claims(serializer.loads(token, max_age=max_age))
    except SignatureExpired as exc:
        raise ExpiredLink("the link has expired") from exc
    except BadSignature as exc:
        raise BadLink("bad signature") from exc
    return claims["s"], str(claims.get("n", ""))


def read_unsubscribe(secret_key: str, token: str | None) -> tuple[int, str]:
    """Return the subscription id and the address tag an unsubscribe token names."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadLink("no token")
    try:
        claims = _claims(URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token))
    except BadSignature as exc:
        raise BadLink("bad signature") from exc
    if not isinstance(claims.get("a"), str):
        raise BadLink("no address")
    return claims["s"], claims["a"]


def link(public_url: str, path: str, token: str) -> str:
    """Return the absolute URL of one of our mail pages with its token."""
    return f"{public_url.rstrip('/')}{path}?{urlencode({'token': token})}"
