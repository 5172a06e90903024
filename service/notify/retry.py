"""Make failed mails due again (an admin's retry from the dashboard's Mail page).

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

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.store.tables_notify import MailMessage

#: Most failed mails one "retry all failed" puts back (the rest: press it again).
MAX_BULK_RETRY = 1000


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


def retry_failed(
    session: Session, site_id: int | None = None, limit: int = MAX_BULK_RETRY
) -> dict[int, list[str]]:
    """Make the failed mails (of one site, or of every site) due again, oldest first, at
    most ``limit``; return the ids each site's retry took, to queue and to audit. Each row
    moves by its own conditional update, so a mail another admin retried meanwhile is
    neither counted nor queued twice."""
    query = select(MailMessage.id, MailMessage.site_id).where(MailMessage.status == "failed")
    if site_id is not None:
        query = query.where(MailMessage.site_id == site_id)
    rows = session.execute(query.order_by(MailMessage.created_at, MailMessage.id).limit(limit))
    now = utcnow()
    taken: dict[int, list[str]] = {}
    for message_id, row_site in rows.all():
        if retry(session, message_id, now):
            taken.setdefault(row_site, []).append(message_id)
    return taken
