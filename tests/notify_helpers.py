"""Helpers for the reply-notification tests: publish through the lifecycle, send the outbox
the way the worker's job does (in this process), read the links of a mail."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables_notify import MailMessage, MailSubscription
from tests.mail_server import text_of
from worker.mail import attempt_mail, mailer_for

LINK = re.compile(r"https?://\S+")


def publish(db: Database, comment_id: str, expected: State = State.PENDING) -> list[str]:
    """Publish a comment through ``transition`` (as the worker or a moderator would);
    return the outbox ids of the mails it wrote."""
    with db.session() as session:
        outcome = transition(
            session,
            comment_id,
            Change(expected=expected, new=State.PUBLISHED, actor="system:test", action="approve"),
        )
    assert outcome is not None
    return outcome.mails


def send_outbox(app: Flask) -> list[str]:
    """Make one attempt at every pending mail that is due, as ``worker.mail.send`` does;
    return the outcomes."""
    db: Database = app.extensions["moderato.db"]
    with db.session() as session:
        ids = session.scalars(
            select(MailMessage.id)
            .where(MailMessage.status == "pending")
            .order_by(MailMessage.created_at, MailMessage.id)
        ).all()
    cfg = app.config
    queue = app.extensions["moderato.queue"]
    return [attempt_mail(db, i, mailer=mailer_for(cfg), config=cfg, scheduler=queue) for i in ids]


def links(message: Any) -> list[str]:
    """Return the URLs in a mail's plain text, in order."""
    return LINK.findall(text_of(message))


def path_of(url: str) -> str:
    """Return the path and query of one of our absolute URLs (for the test client)."""
    return re.sub(r"^https?://[^/]+", "", url)


def subscription(db: Database, email: str = "ada@example.org") -> MailSubscription | None:
    """Return the default site's subscription of ``email``, if any."""
    with db.session() as session:
        return session.scalars(
            select(MailSubscription).where(MailSubscription.email == email)
        ).one_or_none()


def outbox_rows(db: Database) -> list[MailMessage]:
    """Return every mail outbox row, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(select(MailMessage).order_by(MailMessage.created_at, MailMessage.id))
        )
