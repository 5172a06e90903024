"""The mails a published comment calls for, written to the outbox in its transaction.

Called by ``lifecycle.transition`` for every move to ``published`` (the worker's
decision, a moderator's approval, a site's own tools), so no path can publish without
it; the outbox rows are committed with the state change or not at all. Needs no
settings: rows are only written for opt-ins, which intake stores only while mail is
configured. Inserts are ``ON CONFLICT DO NOTHING``: a comment published a second time
(taken down, or edited by its author, then published again) finds its mail already
written, and two transactions that create one address's subscription at once both find
the one row. An address is one subscription per site however it is spelled: they are
matched on ``email_key`` (trimmed, lower case, NFC), as privacy requests match comments.
A reply's mail the worker cancelled because the reply was not published when its job ran
is made due again then (``_revive``): it was never sent.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.addresses import email_key
from service.clock import utcnow
from service.status import State
from service.store.tables import Comment
from service.store.tables_notify import MailMessage, MailSubscription

CONFIRM = "confirm"
REPLY = "reply"


def address(email: str | None) -> str:
    """Return the form an address is kept and mailed in: its key (trimmed, lower case,
    then NFC: ``J̌ohn@…`` is mailed at ``ǰohn@…``, not at ``j`` + a combining caron, which
    RFC 6532 asks not to send and no mailbox is named). Rows made before keep theirs, as
    their unsubscribe links' tags were made from it (``tokens.address_tag``)."""
    return email_key(email)


def _insert_ignoring_conflict(session: Session, model: Any, values: dict[str, Any]) -> None:
    """Insert a row unless a unique constraint already holds one like it (a concurrent
    transaction's, or an earlier publish's); never raises for that."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def find(session: Session, site_id: int, email: str) -> MailSubscription | None:
    """Return the site's subscription of ``email`` (any spelling of it), if it ever asked."""
    return session.scalars(
        select(MailSubscription).where(
            MailSubscription.site_id == site_id, MailSubscription.email_key == email_key(email)
        )
    ).one_or_none()


def _subscription(session: Session, comment: Comment) -> MailSubscription:
    """Return the subscription of the comment's author on its site, made pending if new."""
    _insert_ignoring_conflict(
        session,
        MailSubscription,
        {
            "site_id": comment.site_id,
            "email": address(comment.author_email),
            "email_key": email_key(comment.author_email),  # a Core insert: no ORM hook
            "state": "pending",
            "nonce": "",
            "lang": comment.lang or "en",
            "created_at": utcnow(),
        },
    )
    found = find(session, comment.site_id, comment.author_email)
    assert found is not None
    if comment.lang and found.state != "confirmed":
        found.lang = comment.lang  # the mails go out in the language of the latest request
    return found


def _add(session: Session, kind: str, comment: Comment, sub: MailSubscription) -> list[str]:
    """Write one outbox row (none if this comment already has its mail of ``kind``)."""
    message_id = "mail_" + secrets.token_urlsafe(18)
    now = utcnow()
    _insert_ignoring_conflict(
        session,
        MailMessage,
        {
            "id": message_id,
            "site_id": comment.site_id,
            "subscription_id": sub.id,
            "kind": kind,
            "comment_id": comment.id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    # Ours, or another's for the same (kind, comment): rowcount cannot tell on PostgreSQL.
    added = session.scalar(select(MailMessage.id).where(MailMessage.id == message_id))
    if added is not None:
        return [message_id]
    return _revive(session, kind, comment) if kind == REPLY else []


def _revive(session: Session, kind: str, comment: Comment) -> list[str]:
    """Make a reply's mail due again when the worker cancelled it unsent: the reply was no
    longer published when its job ran (its author was editing it, or a moderator had taken
    it down), and now it is again. A mail sent, failed or still pending is left alone, so
    a reply is told at most once. The row is locked (``FOR UPDATE``; SQLite has one writer
    anyway): a job cancelling it meanwhile either commits first, and we see it cancelled,
    or waits for our commit, and then sees the reply published (``worker.mail.cancel``)."""
    row = session.scalars(
        select(MailMessage)
        .where(MailMessage.kind == kind, MailMessage.comment_id == comment.id)
        .with_for_update()
    ).one_or_none()
    if row is None or row.status != "cancelled" or row.sent_at is not None:
        return []
    # (whatever the cancellation's reason: the job checks everything again before sending)
    row.status, row.next_attempt_at, row.last_error = "pending", utcnow(), None
    return [row.id]


def published(session: Session, comment_id: str) -> bool:
    """Tell whether the comment is published now (a fresh read)."""
    state = session.scalar(select(Comment.state).where(Comment.id == comment_id))
    return state == State.PUBLISHED.value


def on_publish(session: Session, comment: Comment) -> list[str]:
    """Write the mails that publishing ``comment`` calls for; return their outbox ids.

    - its author opted in and is not confirmed on the site: a confirmation (the worker
      sends at most one per address and site per ``MAIL_CONFIRM_MAX_AGE``);
    - it replies to a published comment whose author opted in there, is confirmed, and
      is not the replier (same address): a notification to that author.
    """
    ids: list[str] = []
    if comment.notify_replies and address(comment.author_email):
        sub = _subscription(session, comment)
        if sub.state != "confirmed":
            ids += _add(session, CONFIRM, comment, sub)
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    if (
        parent is not None
        and parent.notify_replies
        and parent.state == State.PUBLISHED.value
        and address(parent.author_email)
        and email_key(parent.author_email) != email_key(comment.author_email)
    ):
        told = find(session, parent.site_id, parent.author_email)
        if told is not None and told.state == "confirmed":
            ids += _add(session, REPLY, comment, told)
    return ids
