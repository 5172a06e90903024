"""Per-article controls: close a thread to new comments, or moderate it in a mode of its own.

A newsroom closes the comments under a story for legal reasons (a trial under way), when
a discussion has run its course, or once an article is old; it pre-moderates a sensitive
story on a site that otherwise publishes automatically. A thread is closed when a
moderator closed it, or when the site closes threads ``close_after_days`` days after
their first comment (Remark42's ``read-only age`` works the same way) and no moderator
reopened it. A closed thread keeps its comments visible and open to readers' reports;
it takes no new comments or replies, from the form or a site's server (``403
thread_closed``). Comments accepted before it closed are decided as usual.

A thread without a ``threads`` row follows its site; a row is written the first time a
moderator changes something, with an audit entry for each change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.clock import rfc3339, utcnow
from service.errors import Forbidden, ValidationFailed
from service.policy import MODES, normalise_policy
from service.store.tables import AuditEntry, Comment, Site, Thread
from service.validation import field_error, has_controls, unknown_fields

MAX_MESSAGE = 500
MAX_CLOSE_AFTER_DAYS = 3650
CLOSED_MESSAGE = "Comments are closed on this article."
#: The fields of ``PUT /api/v1/threads``.
SETTINGS = ("closed", "message", "mode")


@dataclass(frozen=True, slots=True)
class ThreadState:
    """What a thread allows now, and why."""

    closed: bool
    #: ``moderator`` (closed by hand) or ``age`` (the site's close_after_days), when closed.
    closed_by: str | None
    message: str | None
    #: The thread's own moderation mode, or None for the site's.
    mode: str | None
    #: When the site's close_after_days will close it (open threads with comments only).
    closes_at: datetime | None
    #: A moderator's choice: True closed, False kept open past the age limit, None the site's.
    setting: bool | None

    def public(self) -> dict[str, Any]:
        """The part readers and the embed see (the list endpoint's ``thread_state``)."""
        return {
            "closed": self.closed,
            "message": self.message if self.closed else None,
            "closes_at": rfc3339(self.closes_at) if self.closes_at else None,
        }


def close_after_days(site: Site) -> int | None:
    """Return the site's automatic closing age in days, or None when threads stay open."""
    days = (site.settings or {}).get("close_after_days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else None


def row(session: Session, site: Site, key: str) -> Thread | None:
    """The thread's row; None without one. Sites that never set a thread's settings
    (``Site.thread_rows``) skip the query: it cost intake about 0.15 ms."""
    if not site.thread_rows:
        return None
    return _select(session, site, key)


def _select(session: Session, site: Site, key: str) -> Thread | None:
    return session.scalars(
        select(Thread).where(Thread.site_id == site.id, Thread.key == key)
    ).one_or_none()


def first_comment_at(session: Session, site: Site, key: str) -> datetime | None:
    """Return when the thread's first comment (any state) arrived, or None."""
    return session.scalar(
        select(func.min(Comment.created_at)).where(
            Comment.site_id == site.id, Comment.thread == key
        )
    )


def state(session: Session, site: Site, key: str, now: datetime | None = None) -> ThreadState:
    """Return whether ``key`` takes new comments, and its own mode."""
    return _decide(site, row(session, site, key), lambda: first_comment_at(session, site, key), now)


def states(
    session: Session,
    site: Site,
    firsts: Mapping[str, datetime | None],
    now: datetime | None = None,
) -> dict[str, ThreadState]:
    """Return the state of each thread of ``firsts`` (its key → when its first comment
    arrived, None without comments), reading their rows in one query (the Threads page
    asked once per thread, ~200 times)."""
    found: dict[str, Thread] = {}
    if site.thread_rows and firsts:
        query = select(Thread).where(Thread.site_id == site.id, Thread.key.in_(list(firsts)))
        found = {t.key: t for t in session.scalars(query)}
    now = now or utcnow()
    return {
        key: _decide(site, found.get(key), functools.partial(firsts.get, key), now)
        for key in firsts
    }


def _decide(
    site: Site,
    found: Thread | None,
    first_comment: Callable[[], datetime | None],
    now: datetime | None,
) -> ThreadState:
    """The thread's state from its row and (asked only when it matters) its first comment."""
    setting = found.closed if found is not None else None
    message = found.message if found is not None else None
    mode = found.mode if found is not None else None
    if setting is True:
        return ThreadState(True, "moderator", message, mode, None, setting)
    days = close_after_days(site)
    if setting is False or days is None:
        return ThreadState(False, None, None, mode, None, setting)
    first = first_comment()
    if first is None:
        return ThreadState(False, None, None, mode, None, setting)
    closes_at = first + timedelta(days=days)
    if (now or utcnow()) >= closes_at:
        return ThreadState(True, "age", message, mode, None, setting)
    return ThreadState(False, None, None, mode, closes_at, setting)


def require_open(session: Session, site: Site, key: str) -> None:
    """Raise ``403 thread_closed`` when ``key`` takes no new comments."""
    now = state(session, site, key)
    if now.closed:
        text = CLOSED_MESSAGE + (f" {now.message}" if now.message else "")
        raise Forbidden(text, code="thread_closed")


def policy_for(session: Session, site: Site, key: str) -> dict[str, Any]:
    """Return the site's normalised policy with the thread's own mode, if it has one
    (``mode_source`` says which: the decision's summary names a thread-wide review)."""
    policy = normalise_policy(site.policy)
    found = row(session, site, key)
    if found is not None and found.mode in MODES:
        return {**policy, "mode": found.mode, "mode_source": "thread"}
    return policy


#: Leave a setting as it is (``update``'s default).
UNCHANGED: Any = object()


def _create(session: Session, site: Site, key: str) -> Thread:
    """Insert the thread's row unless a concurrent request just did (two moderators' first
    change at once was a 500; found in review), mark the site as having thread rows (one
    UPDATE, never a rewrite of its settings), and return the row."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(
        insert(Thread)
        .values(site_id=site.id, key=key, updated_at=utcnow(), updated_by="")
        .on_conflict_do_nothing(index_elements=["site_id", "key"])
    )
    session.execute(
        sql_update(Site)
        .where(Site.id == site.id, Site.thread_rows.is_(False))
        .values(thread_rows=True)
    )
    site.thread_rows = True
    found = _select(session, site, key)
    assert found is not None
    return found


def validate_settings(payload: dict[str, Any]) -> dict[str, Any]:
    """Check ``{"closed"?, "message"?, "mode"?}``; return the given ones, or raise 422
    listing every bad field. ``closed`` is true, false or null (the site's default);
    ``mode`` one of pre, post, auto or null (the site's); any other field is an error
    (``unknown_field``, as in every keyed request)."""
    errors = unknown_fields(payload, SETTINGS)
    out: dict[str, Any] = {}
    if "closed" in payload:
        value = payload["closed"]
        if value is not None and not isinstance(value, bool):
            errors["closed"] = {"code": "invalid_type", "message": "Use true, false or null."}
        out["closed"] = value
    if "message" in payload:
        value = payload["message"]
        if value is not None and not isinstance(value, str):
            errors["message"] = field_error("invalid_type")
        elif isinstance(value, str) and len(value.strip()) > MAX_MESSAGE:
            errors["message"] = field_error("too_long", limit=MAX_MESSAGE)
        elif isinstance(value, str) and has_controls(value, bidi=True):
            errors["message"] = field_error("control_characters")
        if value is None or isinstance(value, str):  # a 500 on a number; found in review
            out["message"] = (value or "").strip() or None
    if "mode" in payload:
        value = payload["mode"]
        if value not in (None, *MODES):
            errors["mode"] = {
                "code": "invalid_choice",
                "message": f"Use one of: {', '.join(MODES)}, or null for the site's mode.",
            }
        out["mode"] = value
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def update(
    session: Session,
    site: Site,
    key: str,
    actor: str,
    *,
    closed: bool | None = UNCHANGED,
    message: str | None = UNCHANGED,
    mode: str | None = UNCHANGED,
) -> ThreadState:
    """Change a thread's settings (creating its row when something changes), auditing each
    change; return its state."""
    found = _select(session, site, key)
    now = (found.closed, found.message, found.mode) if found else (None, None, None)
    wanted = (
        now[0] if closed is UNCHANGED else closed,
        now[1] if message is UNCHANGED else message,
        now[2] if mode is UNCHANGED else mode,
    )
    if wanted == now:  # nothing to change: no row, no audit entry
        return state(session, site, key)
    if found is None:
        found = _create(session, site, key)
    changes: list[tuple[str, dict[str, Any]]] = []
    if closed is not UNCHANGED and closed != found.closed:
        action = {True: "thread_closed", False: "thread_opened", None: "thread_default"}[closed]
        changes.append((action, {}))
        found.closed = closed
    if message is not UNCHANGED and message != found.message:
        changes.append(("thread_message", {"message": message}))
        found.message = message
    if mode is not UNCHANGED and mode != found.mode:
        changes.append(("thread_mode", {"mode": mode, "was": found.mode}))
        found.mode = mode
    if changes:
        found.updated_at, found.updated_by = utcnow(), actor
        for action, details in changes:
            session.add(
                AuditEntry(
                    site_id=site.id,
                    actor=actor,
                    action=action,
                    details={"thread": key, **details},
                )
            )
    session.flush()
    return state(session, site, key)
