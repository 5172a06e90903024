"""The database schema: every table moderato keeps, as SQLAlchemy 2 mapped classes.

Schema changes go through Alembic (``service/migrations``); this module is the
source the migrations are written from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service.clock import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of all tables."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


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


class WebhookEndpoint(Base):
    """A site's subscriber URL, the events it wants and its signing secrets."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[Any]] = mapped_column(default=list)
    secret: Mapped[str] = mapped_column(String(128))
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event for one endpoint, written with the state change it reports."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
