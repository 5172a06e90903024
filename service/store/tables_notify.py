"""Tables of reply notifications: who asked for mail on a site, and the mail outbox.

A *subscription* is an address that asked, on one site, to be e-mailed about replies:
``pending`` until the address confirms (double opt-in), then ``confirmed``, until it
unsubscribes. The *outbox* holds one row per mail to send, written in the transaction
that published the comment it is about, and sent by the worker (``worker/mail.py``).
A row names its subscription and comment, never an address or a body: both are read
when the mail goes out, so an unsubscribe or an erasure in between is honoured.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.store.tables import Base


class MailSubscription(Base):
    """An address that asked for reply notifications on a site, and where it stands."""

    __tablename__ = "mail_subscriptions"
    #: Erasure deletes rows: SQLite must not hand an erased row's id to the next address
    #: (PostgreSQL's sequences never do). Unsubscribe links also check the address.
    __table_args__ = (UniqueConstraint("site_id", "email"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: Trimmed and lower-cased (``privacy.normalise``): the address mail goes to.
    email: Mapped[str] = mapped_column(String(254))
    #: ``pending`` (asked, not confirmed), ``confirmed``, ``unsubscribed``.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    #: Changes with every confirmation mail and with an unsubscribe: a confirmation link
    #: carries it, so an older link (or one from before an unsubscribe) no longer works.
    nonce: Mapped[str] = mapped_column(String(32), default="")
    #: The language of the mails and of the confirm and unsubscribe pages.
    lang: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the last confirmation mail was taken for sending, and by which outbox row.
    requested_at: Mapped[datetime | None]
    request_message_id: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


class MailMessage(Base):
    """The mail outbox: one confirmation or reply notification to send, and its attempts."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        # At most one mail per reply (and one confirmation per opting-in comment).
        UniqueConstraint("kind", "comment_id"),
        Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), index=True
    )
    #: ``confirm`` (the comment that asked) or ``reply`` (the reply to tell about).
    kind: Mapped[str] = mapped_column(String(16))
    comment_id: Mapped[str] = mapped_column(String(40))
    #: ``pending``, ``sent``, ``failed`` (gave up or refused) or ``cancelled`` (not needed).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the SMTP server accepted the mail (after a successful SMTP transaction); None
    #: until then, whatever attempts failed.
    sent_at: Mapped[datetime | None]
