"""Check records: texts scored through the compatible APIs, kept so feedback can label them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.store.tables import Label
from service.store.tables_integrations import Check


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a caller sent about a text: the comment and its author."""

    text: str
    name: str | None = None
    email: str | None = None
    url: str | None = None


def new_check_id() -> str:
    """Return a new check id, also the Akismet ``X-akismet-guid``."""
    return "chk_" + secrets.token_urlsafe(18)


def fingerprint(site_id: int, item: Submitted) -> str:
    """Return a hash that finds a check again from the same text and author."""
    raw = "\x1f".join([str(site_id), item.text, item.name or "", (item.email or "").lower()])
    return hashlib.sha256(raw.encode()).hexdigest()


def expiry(ttl_seconds: float | None) -> timedelta | None:
    """Return how long to keep a check, or None to keep it (training data)."""
    return None if ttl_seconds is None else timedelta(seconds=ttl_seconds)


def find(session: Session, site_id: int, guid: str | None, item: Submitted) -> Check | None:
    """Return the unexpired check a feedback call refers to: by guid, else by its text."""
    now = utcnow()
    query = select(Check).where(Check.site_id == site_id)
    if guid:
        query = query.where(Check.id == guid)
    else:
        query = query.where(Check.fingerprint == fingerprint(site_id, item))
    for check in session.scalars(query.order_by(Check.created_at.desc()).limit(1)):
        if check.expires_at is None or check.expires_at > now:
            return check
    return None


def label(session: Session, check: Check, value: str, *, source: str, actor: str) -> None:
    """Record a label on a check and keep the check (it is training data now)."""
    check.expires_at = None
    session.add(
        Label(
            comment_id=None,
            check_id=check.id,
            site_id=check.site_id,
            label=value,
            source=source,
            actor=actor,
            created_at=utcnow(),
        )
    )
