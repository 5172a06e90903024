"""Tables of the comments themselves: the comment, its scores and its life, and readers'
reports on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from service.addresses import KEY_LENGTH, email_key
from service.clock import utcnow
from service.store.tables.base import Base


class Comment(Base):
    """A submitted comment, its author, its scores and where it is in its life."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread", "site_id", "thread", "state", "created_at"),
        Index("ix_comments_state_created", "state", "created_at"),
        Index("ix_comments_parent", "parent_id", "state"),
        # "has this address a published comment on the site?" (new authors held)
        Index("ix_comments_site_avatar", "site_id", "avatar", "state"),
        # A site's latest published comments (its Atom feed) without a sort.
        Index("ix_comments_site_published", "site_id", "state", "created_at"),
        # Only featured rows: a thread's featured listing and count read a few entries.
        Index(
            "ix_comments_featured",
            "site_id",
            "thread",
            "created_at",
            sqlite_where=text("featured_at IS NOT NULL"),
            postgresql_where=text("featured_at IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread: Mapped[str] = mapped_column(String(512))
    parent_id: Mapped[str | None] = mapped_column(String(40), ForeignKey("comments.id"))
    state: Mapped[str] = mapped_column(String(16))
    rejection: Mapped[str | None] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(80))
    author_email: Mapped[str] = mapped_column(String(254), index=True)
    #: ``author_email`` as privacy requests match it (service.addresses.email_key), kept
    #: by ``_keep_email_key``: SQL's ``lower()`` cannot compute it (SQLite folds ASCII
    #: only), so an export or an erasure missed ``İnci@…`` (found in review).
    email_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), index=True)
    author_url: Mapped[str | None] = mapped_column(String(2048))
    avatar: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    user_agent: Mapped[str | None] = mapped_column(String(512))
    referrer: Mapped[str | None] = mapped_column(String(2048))
    permalink: Mapped[str | None] = mapped_column(String(2048))
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The author asked to be e-mailed about replies to this comment (tables_notify), in
    #: ``lang``; stored only while mail is configured.
    notify_replies: Mapped[bool] = mapped_column(default=False, server_default=false())
    lang: Mapped[str | None] = mapped_column(String(16))
    spam: Mapped[float | None] = mapped_column(Float)
    toxicity: Mapped[float | None] = mapped_column(Float)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    #: When a moderator featured the comment (an editors' pick), and who; None: not
    #: featured. Only a published comment is featured: leaving ``published`` clears both.
    featured_at: Mapped[datetime | None]
    featured_by: Mapped[str | None] = mapped_column(String(200))
    #: The author's edit token, as its SHA-256 (the token itself is only in the intake's
    #: answer), and until when it edits or withdraws the comment; None: no token.
    edit_token_hash: Mapped[str | None] = mapped_column(String(64))
    edit_until: Mapped[datetime | None]
    #: When the author last edited the text, and the text before that edit (moderators
    #: compare them; erased with the comment). None: never edited.
    edited_at: Mapped[datetime | None]
    previous_text: Mapped[str | None] = mapped_column(Text)
    #: Bumped by every edit: the worker decides only the revision it scored.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @validates("author_email")
    def _keep_email_key(self, _key: str, value: str) -> str:
        """Set ``email_key`` with every address stored (an erasure's ``""`` too)."""
        self.email_key = email_key(value)
        return value


class Report(Base):
    """A reader's report that a published comment needs a moderator's look, and its outcome."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("comment_id", "ip_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when a moderator took the comment down ("taken_down") or kept it ("kept").
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
