"""What the links of the mails do to a subscription: confirm it, or end it.

Both are conditional updates, so a link followed twice (a reader's double click, a mail
scanner and then the reader) changes nothing the second time and says the same.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.addresses import email_key
from service.clock import utcnow
from service.store.tables_notify import MailMessage, MailSubscription, MailSubscriptionMerge


def confirm(session: Session, sub_id: int, nonce: str) -> str:
    """Confirm the subscription if ``nonce`` is its current one; return ``confirmed``,
    ``already`` (confirmed before) or ``stale`` (gone, replaced, or unsubscribed since)."""
    sub = session.get(MailSubscription, sub_id)
    if sub is None:
        return "stale"
    if sub.state == "confirmed":
        return "already"
    if not nonce or sub.nonce != nonce:
        return "stale"
    result = session.execute(
        update(MailSubscription)
        .where(
            MailSubscription.id == sub_id,
            MailSubscription.nonce == nonce,
            MailSubscription.state != "confirmed",
        )
        .values(state="confirmed", confirmed_at=utcnow(), unsubscribed_at=None)
        .execution_options(synchronize_session=False)
    )
    return "confirmed" if result.rowcount == 1 else "already"  # type: ignore[attr-defined]


def merged_into(session: Session, sub_id: int) -> MailSubscription | None:
    """Return the subscription the ``notify2`` upgrade merged ``sub_id`` into (the same
    reader's, by its key), or None: an unsubscribe link of a merged-away row ends it."""
    kept = session.scalar(
        select(MailSubscriptionMerge.subscription_id).where(
            MailSubscriptionMerge.merged_id == sub_id
        )
    )
    return session.get(MailSubscription, kept) if kept is not None else None


def unsubscribe(session: Session, sub_id: int, email: str) -> bool:
    """End the subscription of ``email`` (any spelling of it: its key is compared; every
    mail still waiting for it is cancelled, and its confirmation links stop working); tell
    whether it was there."""
    sub = session.get(MailSubscription, sub_id)
    if sub is None or sub.email_key != email_key(email):
        return False
    if sub.state != "unsubscribed":
        sub.state = "unsubscribed"
        sub.unsubscribed_at = utcnow()
    sub.nonce = secrets.token_urlsafe(16)
    session.execute(
        update(MailMessage)
        .where(MailMessage.subscription_id == sub_id, MailMessage.status == "pending")
        .values(status="cancelled", next_attempt_at=None, last_error="unsubscribed")
        .execution_options(synchronize_session=False)
    )
    return True
