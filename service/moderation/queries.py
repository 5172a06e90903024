"""The queue filter as SQL: conditions, pages, live counts and the ids a bulk action covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, select, true
from sqlalchemy.orm import Session

from service.moderation.filters import QUEUES, QueueFilter
from service.status import Rejection, State
from service.store.tables import Comment

SPAM = Rejection.SPAM.value


def queue_condition(queue: str) -> ColumnElement[bool]:
    """Return the condition that puts a comment in ``queue``; Rejected and Spam do not overlap."""
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
    """Return the WHERE conditions of ``f`` within the user's sites (``scope``; None = all)."""
    where: list[ColumnElement[bool]] = []
    if queue:
        where.append(queue_condition(f.queue))
        if f.reason == "classifier_error":
            where.append(and_(Comment.state == State.HELD.value, Comment.spam.is_(None)))
        elif f.reason:
            where.append(Comment.rejection == f.reason)
    if scope is not None:
        where.append(Comment.site_id.in_(scope) if scope else false())
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
            where.append(func.lower(Comment.author_email).like(pattern, escape="\\"))
        else:
            where.append(func.lower(Comment.author_email) == f.email)
    if f.ip:
        where.append(Comment.ip_hash == f.ip)
    start, end = f.created_range()
    if start is not None:
        where.append(Comment.created_at >= start)
    if end is not None:
        where.append(Comment.created_at < end)
    return where or [true()]


def score_expr() -> ColumnElement[float]:
    """Return the higher of a comment's spam and toxicity scores (-1 when unscored)."""
    spam = func.coalesce(Comment.spam, -1.0)
    tox = func.coalesce(Comment.toxicity, -1.0)
    return case((spam >= tox, spam), else_=tox)


def ordered(query: Select[Any], sort: str) -> Select[Any]:
    """Return ``query`` in the filter's order, ties broken by id for a stable page."""
    if sort == "oldest":
        return query.order_by(Comment.created_at.asc(), Comment.id.asc())
    if sort == "score":
        return query.order_by(score_expr().desc(), Comment.created_at.desc(), Comment.id.desc())
    return query.order_by(Comment.created_at.desc(), Comment.id.desc())


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a queue and how many comments match in all."""

    comments: list[Comment]
    total: int
    page: int
    size: int

    @property
    def more(self) -> bool:
        """Tell whether later pages exist."""
        return self.page * self.size < self.total


def page(
    dbs: Session, f: QueueFilter, scope: list[int] | None, site_id: int | None, size: int
) -> Page:
    """Return the filter's current page."""
    where = conditions(f, scope, site_id)
    total = int(dbs.scalar(select(func.count()).select_from(Comment).where(*where)) or 0)
    query = ordered(select(Comment).where(*where), f.sort)
    rows: list[Comment] = list(dbs.scalars(query.offset((f.page - 1) * size).limit(size)))
    return Page(rows, total, f.page, size)


def counts(
    dbs: Session, f: QueueFilter, scope: list[int] | None, site_id: int | None
) -> dict[str, int]:
    """Return how many comments each queue holds under the filter (its reason aside)."""
    bucket = case(
        (and_(Comment.state == State.REJECTED.value, Comment.rejection == SPAM), literal("spam")),
        else_=Comment.state,
    )
    where = conditions(f, scope, site_id, queue=False)
    rows = dbs.execute(select(bucket, func.count()).where(*where).group_by(bucket)).all()
    found = {str(name): int(n) for name, n in rows}
    return {q: found.get(q, 0) for q in QUEUES}


def matching_ids(
    dbs: Session,
    f: QueueFilter,
    scope: list[int] | None,
    site_id: int | None,
    as_of: datetime | None,
    limit: int,
) -> list[str]:
    """Return the ids of every comment matching the filter (all pages), created by ``as_of``."""
    where = conditions(f, scope, site_id)
    if as_of is not None:
        where.append(Comment.created_at <= as_of)
    query = select(Comment.id).where(*where).order_by(Comment.created_at.asc(), Comment.id.asc())
    return list(dbs.scalars(query.limit(limit)))
