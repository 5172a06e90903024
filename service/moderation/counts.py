"""The queue tabs' live counts, and the "Featured only" filter's: under the page's filter.

A tab counts exactly what its link lists (``QueueFilter.on``): every filter the queues
share (site, thread, scores, author, IP hash, text, dates) narrows every tab; a reason, or
"featured only", narrows the tabs that offer it, and a tab that does not offer it (its link
drops it) counts its queue without it. The page marks each narrowed tab "(filtered)".
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from service.moderation.filters import FEATURED_QUEUES, QUEUES, QueueFilter
from service.moderation.queries import SPAM, conditions, reported, using_index
from service.status import State
from service.store.tables import Comment


def _count(dbs: Session, where: list[ColumnElement[bool]], f: QueueFilter | None = None) -> int:
    query = select(func.count()).select_from(Comment).where(*where)
    return int(dbs.scalar(using_index(query, f) if f else query) or 0)


def counts(
    dbs: Session, f: QueueFilter, scope: list[int] | None, site_id: int | None
) -> dict[str, int]:
    """Return how many comments each queue's tab lists under ``f``.

    One grouped count over the filters every queue shares, the Reported view apart, then a
    count of its own for each tab a reason or "featured only" narrows (at most two: a
    reason belongs to one queue, "featured only" to Published and Reported).
    """
    bucket = case(
        (and_(Comment.state == State.REJECTED.value, Comment.rejection == SPAM), literal("spam")),
        else_=Comment.state,
    )
    where = conditions(f, scope, site_id, queue=False)
    rows = dbs.execute(select(bucket, func.count()).where(*where).group_by(bucket)).all()
    found = {str(name): int(n) for name, n in rows}
    published = found.get(State.PUBLISHED.value, 0)
    narrowed = {q: tab for q in QUEUES if (tab := f.on(q)).reason or tab.featured}
    if published and "reported" not in narrowed:
        found["reported"] = _count(dbs, [*where, reported()])
    for queue, tab in narrowed.items():
        within = published if queue == "reported" else found.get(queue, 0)
        found[queue] = _count(dbs, conditions(tab, scope, site_id), tab) if within else 0
    return {q: found.get(q, 0) for q in QUEUES}


def featured(
    dbs: Session,
    f: QueueFilter,
    scope: list[int] | None,
    site_id: int | None,
    tabs: dict[str, int],
) -> int | None:
    """Return how many featured comments the queue holds under the rest of ``f`` (what
    ticking "Featured only" lists), or None where the queue offers no such filter. With
    the filter on, that is the queue's own count (``tabs``, from ``counts``)."""
    if f.queue not in FEATURED_QUEUES:
        return None
    if f.featured:
        return tabs[f.queue]
    if not tabs[f.queue]:
        return 0
    only = replace(f, featured=True)
    return _count(dbs, conditions(only, scope, site_id), only)
