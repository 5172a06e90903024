"""Make failed mails due again: an admin's retry from the dashboard's Mail page, or an
operator's ``moderato mail retry``; both call ``retry_one`` / ``retry_all_failed``, which
also write the ``mail_retried`` audit entry (the mail's id, never an address).

A mail the worker gave up on (``failed``: its retries ran out, or the server refused it
with a 5xx) goes back to ``pending``, due now, with its attempts counted from zero again,
so it gets the whole retry schedule; the caller queues its job after the commit
(``worker.mail.send``), and the worker's sweep does if Redis is away. Only a ``failed``
row moves, in one conditional UPDATE (``WHERE status = 'failed'``): a mail that was sent
(or is pending, or was cancelled) is never made due again, and two admins retrying one mail
at once queue it once. Nothing is composed here: the worker reads the subscription, the
comment and the reply when it sends, so an unsubscribe, an erasure (which deletes the row
outright) or a reply taken down since the failure is honoured, and the mail is cancelled
unsent. A confirmation whose address confirmed meanwhile, or was asked again lately, is
cancelled the same way (``worker.mail.prepare``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.store.tables import AuditEntry
from service.store.tables_notify import MailMessage

#: Most failed mails one "retry all failed" puts back (the rest: press it again).
MAX_BULK_RETRY = 1000


@dataclass(frozen=True, slots=True)
class Retried:
    """What retrying one mail came to: ``done``, or the status that stopped it (``None``:
    the mail was erased meanwhile)."""

    site_id: int
    done: bool
    status: str | None = None


def retry(session: Session, message_id: str, now: datetime | None = None) -> bool:
    """Make the failed mail ``message_id`` pending and due now; False if it is not failed
    (unknown, sent, pending or cancelled): then nothing changes."""
    result = session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == "failed")
        .values(status="pending", attempts=0, crashes=0, next_attempt_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def failed_mails(
    session: Session, site_id: int | None = None, limit: int = MAX_BULK_RETRY
) -> list[MailMessage]:
    """Return the failed mails (of one site, or of every site), oldest first, at most
    ``limit``: those a "retry all failed" takes."""
    query = select(MailMessage).where(MailMessage.status == "failed")
    if site_id is not None:
        query = query.where(MailMessage.site_id == site_id)
    query = query.order_by(MailMessage.created_at, MailMessage.id).limit(limit)
    return list(session.scalars(query))


def retry_failed(
    session: Session, site_id: int | None = None, limit: int = MAX_BULK_RETRY
) -> dict[int, list[str]]:
    """Make the failed mails (of one site, or of every site) due again, oldest first, at
    most ``limit``; return the ids each site's retry took, to queue and to audit. Each row
    moves by its own conditional update, so a mail another admin retried meanwhile is
    neither counted nor queued twice."""
    now = utcnow()
    taken: dict[int, list[str]] = {}
    for row in failed_mails(session, site_id, limit):
        if retry(session, row.id, now):
            taken.setdefault(row.site_id, []).append(row.id)
    return taken


def retry_one(session: Session, message_id: str, actor: str) -> Retried | None:
    """Make the failed mail ``message_id`` due again and audit it as ``actor``'s; None if
    there is no such mail. Queue it after the commit when ``done``."""
    row = session.get(MailMessage, message_id)
    if row is None:
        return None
    attempts = row.attempts  # as read, before the conditional update
    if retry(session, message_id):
        _audit(session, actor, row.site_id, row.comment_id, mail_id=message_id, kind=row.kind,
               attempts=attempts)  # fmt: skip
        return Retried(row.site_id, done=True)
    # What it is now: another admin's retry, the worker, an erasure meanwhile.
    now = session.scalar(select(MailMessage.status).where(MailMessage.id == message_id))
    return Retried(row.site_id, done=False, status=now)


def retry_all_failed(session: Session, site_id: int | None, actor: str) -> list[str]:
    """Make the failed mails (of one site, or of every site) due again, oldest first, at
    most ``MAX_BULK_RETRY``, with one audit entry per site (the count); return their ids,
    to queue after the commit."""
    taken = retry_failed(session, site_id)
    for row_site, ids in taken.items():
        _audit(session, actor, row_site, None, count=len(ids), all_failed=True)
    return [i for group in taken.values() for i in group]


def _audit(
    session: Session, actor: str, site_id: int, comment_id: str | None, **details: Any
) -> None:
    session.add(
        AuditEntry(
            actor=actor,
            action="mail_retried",
            site_id=site_id,
            comment_id=comment_id,
            details=details,
            created_at=utcnow(),
        )
    )
