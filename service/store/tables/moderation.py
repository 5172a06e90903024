"""Tables of the moderators and their work: accounts and their sites, the audit log, the
labels kept for retraining, and bans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from service.clock import utcnow
from service.store.tables.base import Base
from service.store.tables.comments import Comment


class User(Base):
    """A moderator or admin account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Bumped at logout: every session cookie issued before stops working.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")


class UserSite(Base):
    """Which sites a moderator may moderate."""

    __tablename__ = "user_sites"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )


class AuditEntry(Base):
    """One append-only record of something done to a comment (or a site), by whom."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    site_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @classmethod
    def unchanged(
        cls,
        comment: Comment,
        actor: str,
        action: str,
        note: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Return the entry for something done to ``comment`` that left its state as it
        was (reports dismissed, an erasure of a rejected comment)."""
        return cls(
            comment_id=comment.id,
            site_id=comment.site_id,
            actor=actor,
            action=action,
            from_state=comment.state,
            to_state=comment.state,
            note=note,
            details=details or {},
        )


class Label(Base):
    """A human verdict on a comment (spam, ham, toxic, ok), kept for retraining."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    site_id: Mapped[int | None] = mapped_column(index=True)
    label: Mapped[str] = mapped_column(String(16))
    # A label given to a check (Akismet feedback) rather than a comment: see tables_integrations.
    check_id: Mapped[str | None] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ban(Base):
    """An author banned from commenting: by e-mail, IP hash or domain."""

    __tablename__ = "bans"
    #: The audit log names bans by id and a lifted ban's row is deleted: SQLite must not
    #: hand its id to the next ban (PostgreSQL's sequences never do).
    __table_args__ = (
        UniqueConstraint("site_id", "kind", "value"),
        # NULLs never clash under the constraint above: one ban on every site per value.
        Index(
            "uq_bans_every_site",
            "kind",
            "value",
            unique=True,
            sqlite_where=text("site_id IS NULL"),
            postgresql_where=text("site_id IS NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
