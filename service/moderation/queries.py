"""The queue filter as SQL: conditions, pages, live counts and the ids a bulk action covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    func,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session

from service.moderation.filters import Cursor, QueueFilter
from service.status import Rejection, State
from service.store.tables import Comment, Report, UTCDateTime

SPAM = Rejection.SPAM.value
#: The partial index over featured comments only (migration ``featured1``).
FEATURED_INDEX = "ix_comments_featured"


def reported(before: datetime | None = None) -> ColumnElement[bool]:
    """Return the condition: published, with a reader's report no moderator has answered
    (made by ``before``, when given). An IN over the open reports, which are few, rather
    than an EXISTS per published comment (0.24 s a count at 500,000 published comments;
    found in review)."""
    open_reports = select(Report.comment_id).where(Report.resolved_at.is_(None))
    if before is not None:
        open_reports = open_reports.where(Report.created_at <= before)
    return and_(Comment.state == State.PUBLISHED.value, Comment.id.in_(open_reports))


def queue_condition(queue: str) -> ColumnElement[bool]:
    """Return the condition that puts a comment in ``queue``; Rejected and Spam do not overlap.
    Reported is a view of Published (comments readers reported), not a state of its own."""
    if queue == "reported":
        return reported()
    if queue == "spam":
        return and_(Comment.state == State.REJECTED.value, Comment.rejection == SPAM)
    if queue == "rejected":
        return and_(
            Comment.state == State.REJECTED.value,
            func.coalesce(Comment.rejection, "") != SPAM,
        )
    return Comment.state == queue


def queue_of(state: str, rejection: str | None) -> str:
    """Return the queue a comment in ``state`` (with ``rejection``) is listed in."""
    if state == State.REJECTED.value and rejection == SPAM:
        return "spam"
    return state


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(
    f: QueueFilter, scope: list[int] | None, site_id: int | None, *, queue: bool = True
) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of ``f`` within the user's sites (``scope``; None = all);
    without ``queue``, those of the filter on every queue (no queue, reason or featured)."""
    where: list[ColumnElement[bool]] = []
    if queue:
        where.append(queue_condition(f.queue))
        if f.reason == "classifier_error":
            where.append(and_(Comment.state == State.HELD.value, Comment.spam.is_(None)))
        elif f.reason:
            where.append(Comment.rejection == f.reason)
        if f.featured:
            # the predicate of the partial index ix_comments_featured, written as it is there
            where.append(Comment.featured_at.is_not(None))
    if scope is not None:
        # an empty IN, not false(): that one collapsed the whole WHERE to "0 = 1", leaving
        # the featured index no condition to serve (SQLite: "no query solution")
        where.append(Comment.site_id.in_(scope))
    if site_id is not None:
        where.append(Comment.site_id == site_id)
    if f.thread:
        where.append(Comment.thread == f.thread)
    bounds = (
        (Comment.spam, f.spam_min, f.spam_max),
        (Comment.toxicity, f.tox_min, f.tox_max),
    )
    for column, low, high in bounds:
        if low is not None:
            where.append(column >= low)
        if high is not None:
            where.append(column <= high)
    if f.email:
        if f.email.startswith("@"):
            pattern = "%" + _like_escape(f.email)
            where.append(Comment.email_key.like(pattern, escape="\\"))
        else:  # the key, not SQL's lower(): SQLite's folds ASCII only (Ädä@…, İnci@…)
            where.append(Comment.email_key == f.email)
    if f.text:
        where.append(func.lower(Comment.text).contains(f.text.lower(), autoescape=True))
    if f.ip:
        # the start of a hash finds its comments too (8 digits are already unique)
        where.append(Comment.ip_hash.startswith(f.ip, autoescape=True))
    start, end = f.created_range()
    if start is not None:
        where.append(Comment.created_at >= start)
    if end is not None:
        where.append(Comment.created_at < end)
    return where or [true()]


def using_index(query: Select[Any], f: QueueFilter) -> Select[Any]:
    """Return ``query`` reading the featured comments' partial index when ``f`` lists only
    featured comments. PostgreSQL picks it from its statistics; SQLite, which has none
    unless someone runs ``ANALYZE``, chose the published comments' index and read every
    published comment of the site to find the few featured ones (found while building the
    filter), so it is told (``INDEXED BY``)."""
    if f.featured:
        return query.with_hint(Comment, f"INDEXED BY {FEATURED_INDEX}", "sqlite")
    return query


def score_expr() -> ColumnElement[float]:
    """Return the higher of a comment's spam and toxicity scores (-1 when unscored)."""
    spam = func.coalesce(Comment.spam, -1.0)
    tox = func.coalesce(Comment.toxicity, -1.0)
    return case((spam >= tox, spam), else_=tox)


def score_of(comment: Comment) -> float:
    """Return ``score_expr()`` for a loaded comment, computed the way SQL computes it."""
    spam = -1.0 if comment.spam is None else comment.spam
    tox = -1.0 if comment.toxicity is None else comment.toxicity
    return spam if spam >= tox else tox


def sort_key(sort: str) -> tuple[list[ColumnElement[Any]], bool]:
    """Return the columns of ``sort``'s order (ties broken by id) and whether it descends."""
    columns: list[ColumnElement[Any]] = [Comment.created_at.expression, Comment.id.expression]
    if sort == "score":
        columns.insert(0, score_expr())
    return columns, sort != "oldest"


def ordered(query: Select[Any], sort: str, reverse: bool = False) -> Select[Any]:
    """Return ``query`` in the filter's order (or its reverse), ties broken by id."""
    columns, descending = sort_key(sort)
    return query.order_by(*(c.desc() if descending != reverse else c.asc() for c in columns))


def key_of(comment: Comment, sort: str) -> Cursor:
    """Return ``comment``'s place in ``sort``: its sort key."""
    score = score_of(comment) if sort == "score" else None
    return Cursor(comment.created_at, comment.id, score)


def _past(sort: str, cursor: Cursor, *, later: bool) -> ColumnElement[bool]:
    """Return the condition "after ``cursor`` in ``sort``" (or before it, ``later=False``)."""
    columns, descending = sort_key(sort)
    values: list[Any] = [
        literal(cursor.created_at, UTCDateTime()),
        literal(cursor.id),
    ]
    if cursor.score is not None:
        values.insert(0, literal(cursor.score, Float()))
    left, right = tuple_(*columns), tuple_(*values)
    return left < right if descending == later else left > right


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a queue: its cards, where it starts, and how many match in all."""

    comments: list[Comment]
    total: int
    start: int
    more: bool
    sort: str = "newest"

    @property
    def less(self) -> bool:
        """Tell whether earlier pages exist."""
        return self.start > 0

    @property
    def first(self) -> Cursor | None:
        """Return the place of the first card (the page before this one ends there)."""
        return key_of(self.comments[0], self.sort) if self.comments else None

    @property
    def last(self) -> Cursor | None:
        """Return the place of the last card (the page after this one starts there)."""
        return key_of(self.comments[-1], self.sort) if self.comments else None


def page(
    dbs: Session, f: QueueFilter, scope: list[int] | None, site_id: int | None, size: int
) -> Page:
    """Return the filter's current page: the first, or the one after/before a card.

    Pages are keyset pages: the next page starts right after the last card shown, so
    cards acted on (and gone from the queue) never make the next page skip any.
    """
    where = conditions(f, scope, site_id)
    counted = using_index(select(func.count()).select_from(Comment).where(*where), f)
    total = int(dbs.scalar(counted) or 0)
    query = using_index(select(Comment).where(*where), f)
    rows: list[Comment]
    if f.before:
        back = ordered(query.where(_past(f.sort, f.before, later=False)), f.sort, reverse=True)
        rows = list(reversed(list(dbs.scalars(back.limit(size)))))
        if len(rows) < size:  # near the top again: show the first page
            return _first(dbs, query, total, f.sort, size)
        after = query.where(_past(f.sort, key_of(rows[-1], f.sort), later=True)).limit(1)
        more = dbs.scalar(select(func.count()).select_from(after.subquery())) == 1
    elif f.after:
        query_after = query.where(_past(f.sort, f.after, later=True))
        rows = list(dbs.scalars(ordered(query_after, f.sort).limit(size + 1)))
        if not rows:  # everything after it was handled meanwhile: start again
            return _first(dbs, query, total, f.sort, size)
        more, rows = len(rows) > size, rows[:size]
    else:
        return _first(dbs, query, total, f.sort, size)
    first = key_of(rows[0], f.sort)
    earlier = using_index(
        select(func.count()).select_from(Comment).where(*where, _past(f.sort, first, later=False)),
        f,
    )
    return Page(rows, total, int(dbs.scalar(earlier) or 0), more, f.sort)


def _first(dbs: Session, query: Select[Any], total: int, sort: str, size: int) -> Page:
    rows = list(dbs.scalars(ordered(query, sort).limit(size + 1)))
    return Page(rows[:size], total, 0, len(rows) > size, sort)


def _matching(
    f: QueueFilter, scope: list[int] | None, site_id: int | None, as_of: datetime | None
) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of a filter-wide action: the filter, created by ``as_of``
    and unchanged since. A comment a colleague moved into the queue after the moderator
    reviewed the action (an old comment, just rejected) is not under it: the count check
    alone let the run undo that decision (found in review)."""
    where = conditions(f, scope, site_id)
    if as_of is not None:
        where.append(Comment.created_at <= as_of)
        where.append(Comment.updated_at <= as_of)
        if f.queue == "reported":
            # Only comments reported by the time the moderator reviewed the action: a report
            # made meanwhile must not put an unseen comment under it (found in review).
            where.append(reported(before=as_of))
    return where


def matching_ids(
    dbs: Session,
    f: QueueFilter,
    scope: list[int] | None,
    site_id: int | None,
    as_of: datetime | None,
    limit: int,
) -> list[str]:
    """Return the ids of every comment matching the filter (all pages), created by ``as_of``,
    oldest first: a capped action takes the oldest ``limit``."""
    query = (
        select(Comment.id)
        .where(*_matching(f, scope, site_id, as_of))
        .order_by(Comment.created_at.asc(), Comment.id.asc())
    )
    return list(dbs.scalars(using_index(query, f).limit(limit)))


def matching_count(
    dbs: Session,
    f: QueueFilter,
    scope: list[int] | None,
    site_id: int | None,
    as_of: datetime | None,
) -> int:
    """Return how many comments ``matching_ids`` would return without a limit."""
    where = _matching(f, scope, site_id, as_of)
    counted = using_index(select(func.count()).select_from(Comment).where(*where), f)
    return int(dbs.scalar(counted) or 0)
