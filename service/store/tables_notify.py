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
from sqlalchemy.orm import Mapped, mapped_column, validates

from service.addresses import KEY_LENGTH, email_key
from service.clock import utcnow
from service.store.tables import Base


class MailSubscription(Base):
    """An address that asked for reply notifications on a site, and where it stands."""

    __tablename__ = "mail_subscriptions"
    #: Erasure deletes rows: SQLite must not hand an erased row's id to the next address
    #: (PostgreSQL's sequences never do). Unsubscribe links also check the address. One
    #: subscription per address and site, however it was spelled (``email_key``).
    __table_args__ = (
        UniqueConstraint("site_id", "email"),
        Index("ix_mail_subscriptions_site_email_key", "site_id", "email_key", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: The address mail goes to, in its key's form (``notify.outbox.address``; rows made
    #: before are trimmed and lower-cased only), and what an unsubscribe link's tag was
    #: made from (so it never changes for a row).
    email: Mapped[str] = mapped_column(String(254))
    #: ``email`` as every match takes it (``service.addresses.email_key``: trimmed, lower
    #: case, NFC), as comments and check records keep theirs: intake's opt-ins, the worker's
    #: check of a reply's parent, unsubscribing, and privacy requests all compare this.
    #: Kept by ``_keep_email_key`` (a Core insert sets it itself: ``notify.outbox``).
    email_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
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

    @validates("email")
    def _keep_email_key(self, _key: str, value: str) -> str:
        """Set ``email_key`` with every address stored."""
        self.email_key = email_key(value)
        return value


class MailSubscriptionMerge(Base):
    """A subscription the ``notify2`` upgrade merged into another of the same reader.

    Its unsubscribe links were mailed before the merge and never expire: they name the
    merged-away id, and unsubscribe the kept one. Only ids (no address); an erasure of the
    kept subscription deletes its rows (and the foreign key would).
    """

    __tablename__ = "mail_subscription_merges"

    merged_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), index=True
    )


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
    #: Re-queues of a job that raised or vanished mid-run (see ``WebhookDelivery.crashes``).
    crashes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the SMTP server accepted the mail (after a successful SMTP transaction); None
    #: until then, whatever attempts failed.
    sent_at: Mapped[datetime | None]
