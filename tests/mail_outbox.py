"""Builders for the Mail page tests: mails in the outbox, failed against a real SMTP server."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from service.store import Database
from service.store.tables import AuditEntry, Comment
from service.store.tables_notify import MailMessage
from tests.factories import stored
from tests.mail_server import MailServer
from tests.notify_helpers import publish, send_outbox

HTML = {"Accept": "text/html"}


def asking(db: Database, email: str, site: str = "default", **fields: str) -> str:
    """Store a comment by ``email`` with "Email me when someone replies" ticked and publish
    it through the lifecycle; return the confirmation mail it wrote to the outbox."""
    comment = stored(db, site=site, email=email, **fields)
    with db.session() as session:
        row = session.get(Comment, comment.id)
        assert row is not None
        row.notify_replies = True
    [mail_id] = publish(db, comment.id)
    return mail_id


def failed(app: Flask, db: Database, server: MailServer, email: str, site: str = "default") -> str:
    """Return a confirmation to ``email`` that failed: the server refused the address (550)."""
    server.handler.refuse.add(email)
    mail_id = asking(db, email, site)
    send_outbox(app)
    assert mail(db, mail_id).status == "failed"
    return mail_id


def mail(db: Database, mail_id: str) -> MailMessage:
    """Return one outbox row as it is now."""
    with db.session() as session:
        row = session.get(MailMessage, mail_id)
        assert row is not None
        return row


def retries(db: Database) -> list[AuditEntry]:
    """Return the ``mail_retried`` audit entries, oldest first."""
    with db.session() as session:
        query = select(AuditEntry).where(AuditEntry.action == "mail_retried")
        return list(session.scalars(query.order_by(AuditEntry.id)))
