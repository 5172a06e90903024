"""Tables of the integrations: checks made through the Akismet- and Perspective-compatible APIs.

A *check* scores a text without entering it into the moderation queues. It is
kept for ``CHECK_TTL`` seconds (``expires_at``) so that a later feedback call
(Akismet ``submit-spam``/``submit-ham``) can turn it into a label; a labelled
check, or one a site chose to keep for training, has no expiry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from service.addresses import KEY_LENGTH, email_key
from service.clock import utcnow
from service.store.tables import Base


class Check(Base):
    """One synchronous scoring call, its text and its scores, kept for feedback."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_site_fingerprint", "site_id", "fingerprint"),
        Index("ix_checks_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_email: Mapped[str | None] = mapped_column(String(254))
    #: ``author_email`` as privacy requests match it (see ``Comment.email_key``).
    email_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    author_url: Mapped[str | None] = mapped_column(String(2048))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    permalink: Mapped[str | None] = mapped_column(String(2048))
    comment_type: Mapped[str | None] = mapped_column(String(40))
    spam: Mapped[float] = mapped_column(Float)
    toxicity: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str | None] = mapped_column(String(64))
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]

    @validates("author_email")
    def _keep_email_key(self, _key: str, value: str | None) -> str | None:
        """Set ``email_key`` with every address stored."""
        self.email_key = email_key(value) if value is not None else None
        return value
