"""Storing a new comment and reading published ones; shared by every intake path."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from service import events, request_ids
from service.clock import rfc3339, utcnow
from service.ids import new_id
from service.rendering import render
from service.security import avatar_hash
from service.status import State
from service.store.tables import AuditEntry, Comment, Site
from service.validation import CommentInput


@dataclass(slots=True)
class IntakeMeta:
    """What we learn about a submission besides its fields: never the raw IP."""

    ip_hash: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    permalink: str | None = None
    actor: str = "public"
    signals: dict[str, Any] = field(default_factory=dict)
    #: The reader's language, kept with an opt-in to reply notifications (their mails').
    lang: str | None = None
    #: The hash of the author's edit token and the end of its window (``service.edits``).
    edit_token_hash: str | None = None
    edit_until: datetime | None = None


@dataclass(slots=True)
class Accepted:
    """A stored comment and the outbox rows its arrival produced."""

    comment: Comment
    deliveries: list[str]


def published_in_thread(
    session: Session, site: Site, thread: str, comment_id: str
) -> Comment | None:
    """Return the comment ``comment_id`` if it is a published comment of the thread."""
    return session.scalar(
        select(Comment).where(
            Comment.id == comment_id,
            Comment.site_id == site.id,
            Comment.thread == thread,
            Comment.state == State.PUBLISHED.value,
        )
    )


def parent_in_thread(session: Session, site: Site, thread: str, parent_id: str) -> bool:
    """Tell whether ``parent_id`` is a published comment of the same thread."""
    return published_in_thread(session, site, thread, parent_id) is not None


def store_new(session: Session, site: Site, data: CommentInput, meta: IntakeMeta) -> Accepted:
    """Add a ``pending`` comment, its audit entry and its ``comment.received`` event."""
    now = utcnow()
    comment = Comment(
        id=new_id(),
        site_id=site.id,
        thread=data.thread,
        parent_id=data.parent,
        state=State.PENDING.value,
        author_name=data.name,
        author_email=data.email,
        author_url=data.url,
        avatar=avatar_hash(data.email),
        text=data.text,
        html=render(data.text),
        ip_hash=meta.ip_hash,
        user_agent=(meta.user_agent or "")[:512] or None,
        referrer=(meta.referrer or "")[:2048] or None,
        permalink=(meta.permalink or "")[:2048] or None,
        signals=meta.signals,
        notify_replies=data.notify_replies,
        lang=meta.lang if data.notify_replies else None,
        edit_token_hash=meta.edit_token_hash,
        edit_until=meta.edit_until,
        attempts=0,
        created_at=now,
        updated_at=now,
        enqueued_at=now,
    )
    session.add(comment)
    session.add(
        AuditEntry(
            comment_id=comment.id,
            site_id=site.id,
            actor=meta.actor,
            action="received",
            from_state=None,
            to_state=State.PENDING.value,
            details={
                **({"signals": meta.signals} if meta.signals else {}),
                **request_ids.audit_details(),  # a re-queue by the sweep carries it
            },
            created_at=now,
        )
    )
    session.flush()
    return Accepted(comment, events.record(session, "comment.received", comment))


def public_item(comment: Comment) -> dict[str, Any]:
    """Return a published comment as the thread listing shows it: never the e-mail."""
    return {
        "id": comment.id,
        "parent": comment.parent_id,
        "author_name": comment.author_name,
        "author_url": comment.author_url,
        "avatar": comment.avatar,
        "created_at": rfc3339(comment.created_at),
        "edited_at": rfc3339(comment.edited_at),
        # the text's revision (0 until an edit): an author's edit names the one it changes
        "revision": comment.revision,
        "text": comment.text,
        "html": comment.html,
        "featured": comment.featured_at is not None,
    }


def cursor_scope(
    site: str, thread: str, order: str, by: str = "comment", featured: bool = False
) -> str:
    """A short tag of the list a cursor belongs to: a cursor of one thread (or order, or
    paging) used with another answered wrong pages without a word (found in review). The
    conversation paging and the featured listing are lists of their own; the others' tags
    are as before they existed."""
    key = f"{site}\x00{thread}\x00{order}"
    key += ("" if by == "comment" else f"\x00{by}") + ("\x00featured" if featured else "")
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def encode_cursor(comment: Comment, scope: str) -> str:
    """Return an opaque cursor pointing after ``comment`` in the list ``scope`` names."""
    raw = json.dumps([comment.created_at.isoformat(), comment.id, scope], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> tuple[datetime, str] | None:
    """Return the position a cursor points after, or None if it is not one of ours or
    belongs to another list (a cursor made before scopes existed is taken as it is)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        stamp, comment_id = parts[:2]
        when = datetime.fromisoformat(stamp)
        # in UTC here, as the database compares it: a date at the calendar's edge in a far
        # offset (0001-01-01T00:00:00+14:00) does not exist in UTC and was a 500 at the query
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    if (
        not isinstance(parts, list)
        or len(parts) not in (2, 3)
        or (len(parts) == 3 and parts[2] != scope)
    ):
        return None
    if not isinstance(comment_id, str) or when.tzinfo is None:
        return None
    return when, comment_id


def published_page(
    session: Session,
    site: Site,
    thread: str,
    *,
    newest_first: bool,
    after: tuple[datetime, str] | None,
    limit: int,
    only: ColumnElement[bool] | None = None,
    featured: bool = False,
) -> tuple[list[Comment], bool]:
    """Return a page of a thread's published comments (those matching ``only``, if given;
    only its featured ones with ``featured``) after a cursor, and whether more exist."""
    query = select(Comment).where(
        Comment.site_id == site.id,
        Comment.thread == thread,
        Comment.state == State.PUBLISHED.value,
    )
    if only is not None:
        query = query.where(only)
    if featured:
        query = query.where(Comment.featured_at.is_not(None))
    if after is not None:
        query = query.where(past(after, newest_first))
    rows = list(session.scalars(query.order_by(*in_order(newest_first)).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def past(key: tuple[datetime, str], newest_first: bool) -> ColumnElement[bool]:
    """Return the condition "comes after ``key`` (created_at, id)" in a list's order."""
    when, last_id = key
    if newest_first:
        return or_(
            Comment.created_at < when, and_(Comment.created_at == when, Comment.id < last_id)
        )
    return or_(Comment.created_at > when, and_(Comment.created_at == when, Comment.id > last_id))


def in_order(newest_first: bool) -> tuple[UnaryExpression[Any], UnaryExpression[Any]]:
    """Return the ORDER BY of a list of comments: by time, then id, one way or the other."""
    if newest_first:
        return Comment.created_at.desc(), Comment.id.desc()
    return Comment.created_at.asc(), Comment.id.asc()


def published_counts(session: Session, site: Site, threads: list[str]) -> dict[str, int]:
    """Return the published comments of each of ``threads`` that has any (one grouped query)."""
    query = (
        select(Comment.thread, func.count())
        .where(
            Comment.site_id == site.id,
            Comment.thread.in_(threads),
            Comment.state == State.PUBLISHED.value,
        )
        .group_by(Comment.thread)
    )
    return {thread: int(n) for thread, n in session.execute(query)}


def thread_total(
    session: Session, site: Site, thread: str, page: list[Comment], complete: bool
) -> int:
    """Return how many comments of a thread are published (replies included).

    ``page`` is a page of it from ``published_page``; when that page is the whole thread
    (``complete``: the first page and nothing after it), its length is the answer and
    no count query runs.
    """
    if complete:
        return len(page)
    query = select(func.count()).where(
        Comment.site_id == site.id,
        Comment.thread == thread,
        Comment.state == State.PUBLISHED.value,
    )
    return int(session.scalar(query) or 0)


def latest_published(session: Session, site: Site, thread: str | None, limit: int) -> list[Comment]:
    """Return the latest published comments of a thread, or of the whole site when
    ``thread`` is None, newest first (one query on ``ix_comments_thread`` or
    ``ix_comments_site_published``)."""
    query = select(Comment).where(
        Comment.site_id == site.id, Comment.state == State.PUBLISHED.value
    )
    if thread is not None:
        query = query.where(Comment.thread == thread)
    order = (Comment.created_at.desc(), Comment.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def featured_total(
    session: Session, site: Site, thread: str, page: list[Comment], complete: bool
) -> int:
    """Return how many comments of a thread are featured; counted from ``page`` when it
    holds all of them (``complete``: the whole thread, or the whole featured list)."""
    if complete:
        return sum(c.featured_at is not None for c in page)
    query = select(func.count()).where(
        Comment.site_id == site.id,
        Comment.thread == thread,
        Comment.state == State.PUBLISHED.value,
        Comment.featured_at.is_not(None),
    )
    return int(session.scalar(query) or 0)
