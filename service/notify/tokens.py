"""The signed links of the mails: confirm a subscription, unsubscribe from one.

A confirmation link names the subscription and its current nonce and expires after
``MAIL_CONFIRM_MAX_AGE``: a newer confirmation mail, or an unsubscribe, changes the nonce,
so an older link stops working. An unsubscribe link names the subscription only and never
expires: a mail read months later must still be able to stop the next one (RFC 8058).
Both are signed with ``SECRET_KEY`` (HMAC, itsdangerous); anything altered is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_PATH = "/mail/confirm"
UNSUBSCRIBE_PATH = "/mail/unsubscribe"
CONFIRM_SALT = "moderato.mail-confirm.v1"
UNSUBSCRIBE_SALT = "moderato.mail-unsubscribe.v1"
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


def unsubscribe_token(secret_key: str, subscription_id: int) -> str:
    """Return the token of an unsubscribe link (no expiry)."""
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps({"s": subscription_id})


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


def read_unsubscribe(secret_key: str, token: str | None) -> int:
    """Return the subscription id an unsubscribe token names."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadLink("no token")
    try:
        sub_id: int = _claims(URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token))[
            "s"
        ]
    except BadSignature as exc:
        raise BadLink("bad signature") from exc
    return sub_id


def link(public_url: str, path: str, token: str) -> str:
    """Return the absolute URL of one of our mail pages with its token."""
    return f"{public_url.rstrip('/')}{path}?{urlencode({'token': token})}"
