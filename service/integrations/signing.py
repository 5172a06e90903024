"""Webhook signatures per the Standard Webhooks specification. Pure: no I/O.

The signed content is ``"{id}.{timestamp}.{body}"``; the signature is the
base64 HMAC-SHA256 of it under the secret's bytes (``whsec_<base64>``), sent
as ``webhook-signature: v1,<sig>``. During a secret rotation both the new and
the previous secret sign, space-separated, so receivers may switch at leisure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"


def new_secret() -> str:
    """Return a fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    """Return the key bytes of a ``whsec_`` secret; raise ValueError if it is not one."""
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(PREFIX) :], validate=True)


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """Return ``v1,<base64 signature>`` of one message under one secret."""
    content = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Return the three Standard Webhooks headers, signed by every secret given."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }
