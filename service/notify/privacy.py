"""Reply notifications in a commenter's data request: what the export lists, what erasure removes.

A subscription holds the address itself (mail goes to it), per site; its outbox rows
hold only ids (the mail is composed when sent). Export lists each subscription, its
state and times, and the mails sent or waiting for it (a mail's ``sent_at``, and the
subscription's ``confirmation_sent_at``, are when the SMTP server accepted the mail: an
attempt that failed leaves none); erasure deletes them all (and the ids of rows the
``notify2`` upgrade merged into them), so
nothing more is sent (a mail being sent at that moment is the one exception). The
opt-in flag and language on each comment go with the comment's own erasure.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.clock import rfc3339
from service.notify.outbox import CONFIRM
from service.store.tables import Site
from service.store.tables_notify import MailMessage, MailSubscription, MailSubscriptionMerge


def _subscriptions(session: Session, email: str, site: Site | None) -> list[MailSubscription]:
    """Return the address's subscriptions (``email`` normalised: ``privacy.normalise``),
    matched on their key as comments and check records are (``service.addresses``)."""
    query = select(MailSubscription).where(MailSubscription.email_key == email)
    if site is not None:
        query = query.where(MailSubscription.site_id == site.id)
    return list(session.scalars(query.order_by(MailSubscription.id)))


def export(
    session: Session, email: str, site: Site | None, slugs: dict[int, str]
) -> list[dict[str, Any]]:
    """Return every reply-notification subscription of ``email``, with its mails."""
    found = []
    for sub in _subscriptions(session, email, site):
        mails = list(
            session.scalars(
                select(MailMessage)
                .where(MailMessage.subscription_id == sub.id)
                .order_by(MailMessage.created_at, MailMessage.id)
            )
        )
        confirmed = [m.sent_at for m in mails if m.kind == CONFIRM and m.sent_at is not None]
        found.append(
            {
                "site": slugs.get(sub.site_id, ""),
                "email": sub.email,
                "state": sub.state,
                "language": sub.lang,
                "created_at": rfc3339(sub.created_at),
                # The last confirmation the server accepted; not ``requested_at``, which
                # is set when an attempt takes it for sending and stays if that fails.
                "confirmation_sent_at": rfc3339(max(confirmed, default=None)),
                "confirmed_at": rfc3339(sub.confirmed_at),
                "unsubscribed_at": rfc3339(sub.unsubscribed_at),
                "mails": [
                    {
                        "kind": m.kind,
                        "comment": m.comment_id,
                        "status": m.status,
                        "created_at": rfc3339(m.created_at),
                        "sent_at": rfc3339(m.sent_at),
                    }
                    for m in mails
                ],
            }
        )
    return found


def erase(session: Session, email: str, site: Site | None) -> int:
    """Delete the address's subscriptions and their mails; return how many subscriptions."""
    subs = _subscriptions(session, email, site)
    ids = [sub.id for sub in subs]
    if ids:
        session.execute(delete(MailMessage).where(MailMessage.subscription_id.in_(ids)))
        # Only ids, but none left naming an erased row (nor for the foreign key to cascade).
        session.execute(
            delete(MailSubscriptionMerge).where(MailSubscriptionMerge.subscription_id.in_(ids))
        )
        session.execute(delete(MailSubscription).where(MailSubscription.id.in_(ids)))
    return len(ids)
