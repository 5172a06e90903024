"""``Idempotency-Key`` on ``POST /api/v1/comments`` from a site's server: a retry after a
timeout or a dropped connection gets the first request's answer instead of storing the
comment twice (as Stripe and the IETF draft ``draft-ietf-httpapi-idempotency-key-header``
describe it).

The key is the sender's (a UUID, say), up to 255 printable ASCII characters, kept for
``TTL`` per site with a SHA-256 fingerprint of the body. The same key with the same body
answers the stored comment's 202 again (``Idempotent-Replayed: true``); with another body,
``409 idempotency_conflict``. The record is written in the comment's own transaction, so
a comment is never stored without it, nor it without the comment. Browser posts have the
form token instead; the header counts only with a site key.

A comment erased (a privacy erasure of its address) or withdrawn by its author keeps its
key for the rest of the day, so a retry cannot store it again, but not its fingerprint:
a hash of a body that holds the address and the text is personal data too (anyone
holding a guess of the body can confirm it), so it is replaced by ``ERASED``. Such a key
answers every request with the erased comment's id and its state now (``rejected``), no
edit token: it can no longer tell the retry from another body.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.errors import BadRequest, Conflict
from service.store.tables import IdempotencyKey, Site

HEADER = "Idempotency-Key"
MAX_KEY = 255
TTL = timedelta(hours=24)
#: The fingerprint of a key whose comment was erased or withdrawn (never a SHA-256 digest).
ERASED = "erased"


def key_from(headers: Any) -> str | None:
    """Return the request's idempotency key, None without one; 400 if malformed."""
    raw = headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY or not all(" " <= c <= "~" for c in key):
        raise BadRequest(
            f"{HEADER} must be 1 to {MAX_KEY} printable ASCII characters (a UUID, say).",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(payload: dict[str, Any]) -> str:
    """A hash of the request body as parsed (key order and spacing do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replayed(session: Session, site: Site, key: str, print_: str) -> IdempotencyKey | None:
    """Return the live record of ``key`` (its comment id, and whether that comment was
    erased), None if there is none; 409 if the record was made for another body."""
    row = session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.site_id == site.id, IdempotencyKey.key == key)
    ).one_or_none()
    if row is None:
        return None
    if utcnow() - row.created_at > TTL:
        session.delete(row)
        session.flush()
        return None
    if row.fingerprint not in (print_, ERASED):
        raise Conflict(
            f"This {HEADER} was used for a different request in the last "
            f"{int(TTL.total_seconds() // 3600)} hours: use a new key for a new comment.",
            code="idempotency_conflict",
        )
    return row


def erased(row: IdempotencyKey) -> bool:
    """Tell whether the record's comment was erased or withdrawn since (see the module)."""
    return row.fingerprint == ERASED


def remember(session: Session, site: Site, key: str, print_: str, comment_id: str) -> None:
    """Record the key with the comment just stored (same transaction)."""
    session.add(
        IdempotencyKey(
            site_id=site.id, key=key, fingerprint=print_, comment_id=comment_id, created_at=utcnow()
        )
    )


def forget_bodies(session: Session, comment_ids: list[str]) -> None:
    """Keep the keys of erased comments (a retry must not store one again) without the
    fingerprints of their bodies."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.comment_id.in_(comment_ids))
        .values(fingerprint=ERASED)
        .execution_options(synchronize_session=False)
    )


def purge(session: Session) -> int:
    """Delete records older than ``TTL``; return how many (the worker's sweep calls it)."""
    result = session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - TTL)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
