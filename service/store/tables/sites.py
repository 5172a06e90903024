"""Tables of a publisher's site: the site, its API keys, its threads' own settings and its
server's idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.store.tables.base import Base


class Site(Base):
    """A publisher's site: its slug, allowed origins and decision policy."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[Any]] = mapped_column(default=list)
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set (never cleared) once any of the site's threads has settings of its own: until
    #: then intake and the thread list skip their lookup. A column of its own, written
    #: with one UPDATE: in ``settings`` a concurrent rewrite of the JSON dropped it.
    thread_rows: Mapped[bool] = mapped_column(default=False, server_default=false())


class ApiKey(Base):
    """A site's server-to-server key; only a hash of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: When the key stops working by itself (created to expire, or rolled: the end of its
    #: grace); None: until revoked. A column of its own, not a future ``revoked_at``: the
    #: release before reads any ``revoked_at`` as revoked (found in review).
    expires_at: Mapped[datetime | None]
    #: The prefix of the key that replaced this one (``roll``): a key is rolled once.
    replaced_by: Mapped[str | None] = mapped_column(String(16))

    def active(self, now: datetime) -> bool:
        """Tell whether the key still works at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Thread(Base):
    """A moderator's settings for one thread (an article): closed to new comments, and a
    moderation mode of its own. A thread without a row follows its site."""

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(512))
    #: True: closed; False: open even past the site's ``close_after_days``; None: the site's.
    closed: Mapped[bool | None]
    #: Shown to readers under a closed thread ("Comments are closed: …").
    message: Mapped[str | None] = mapped_column(String(500))
    #: ``pre``, ``post`` or ``auto`` for this thread only; None: the site's policy mode.
    mode: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class IdempotencyKey(Base):
    """A site server's ``Idempotency-Key`` and the comment its first request stored: a
    retry with the same key and body gets the same answer, not a second comment."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("site_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
