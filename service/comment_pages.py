"""Which page of a thread's conversations holds one comment: a link to a comment (the
no-JS thread's ``comment=<id>``, in feed entries and reply mails) opens that page.

The page is the one "Load more" from the first page reaches, found from counts on the
thread's index (``ix_comments_thread``) without reading the pages before it; its cursor
is an ordinary one, so the page goes on as any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, Select, String, and_, bindparam, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from service import conversations
from service.comments import in_order, past
from service.conversations import IS_ROOT, kept, reply_counts
from service.status import State
from service.store.tables import Comment, Site


def _root_query() -> Select[str]:
    """Build the query of the root of the conversation holding ``:comment``, a published
    comment of the thread (``:site``, ``:thread``): up its published parents."""
    start = (
        select(Comment.id, Comment.parent_id, literal(0).label("depth"))
        .where(
            Comment.id == bindparam("comment", type_=String),
            Comment.site_id == bindparam("site", type_=Integer),
            Comment.thread == bindparam("thread", type_=String),
            Comment.state == State.PUBLISHED.value,
        )
        .cte("up", recursive=True)
    )
    parent = aliased(Comment)
    up = start.union_all(
        select(parent.id, parent.parent_id, start.c.depth + 1).where(
            parent.id == start.c.parent_id, parent.state == State.PUBLISHED.value
        )
    )
    return select(up.c.id).order_by(up.c.depth.desc()).limit(1)


#: Made once, like the conversation queries.
_ROOT = select(Comment.created_at, Comment.id).where(Comment.id == _root_query().scalar_subquery())


def page_holding(
    session: Session, site: Site, thread: str, comment_id: str, *, newest_first: bool, limit: int
) -> tuple[datetime, str] | None:
    """Return the cursor position of the page of ``limit`` conversations that holds the
    comment ``comment_id``; None for the first page, and for an id that is not a published
    comment of the thread (it opens the first page, as without one).

    Its conversation's root comes up its published parents (one recursive query). One
    count says how many roots come before that root, and whether the thread has replies
    enough for ``MAX_REPLIES`` to end a page early. Most have not: the pages are then
    ``limit`` roots each, and the page's cursor is a few roots back. Else the pages before
    are laid out as ``conversation_page`` ends them, from each root's count of replies.
    """
    params = {"comment": comment_id, "site": site.id, "thread": thread}
    found = session.execute(_ROOT, params).first()
    if found is None:
        return None
    root = (found[0], found[1])
    in_thread = (
        Comment.site_id == site.id,
        Comment.thread == thread,
        Comment.state == State.PUBLISHED.value,
    )
    before = past(root, not newest_first)  # earlier in the page order
    total, roots, position = session.execute(
        select(
            func.count(),
            func.count().filter(IS_ROOT),
            func.count().filter(and_(IS_ROOT, before)),
        ).where(*in_thread)
    ).one()
    if total - roots <= conversations.MAX_REPLIES:  # no page can end early
        if position < limit:
            return None
        back = position % limit  # its page's roots before it: the cursor is one further
        query = select(Comment.created_at, Comment.id).where(*in_thread, IS_ROOT, before)
        row = session.execute(
            query.order_by(*in_order(not newest_first)).offset(back).limit(1)
        ).first()
        return (row[0], row[1]) if row else None
    keys = session.execute(
        select(Comment.created_at, Comment.id)
        .where(*in_thread, IS_ROOT, or_(before, Comment.id == root[1]))
        .order_by(*in_order(newest_first))
    ).all()
    ids = [key[1] for key in keys]
    counts = reply_counts(session, ids)
    first = page_start([counts.get(i, 0) for i in ids], len(ids) - 1, limit)
    return (keys[first - 1][0], keys[first - 1][1]) if first else None


def page_start(replies: Sequence[int], target: int, limit: int) -> int:
    """Return the index of the first root of the page holding root ``target``, from each
    root's count of ``replies`` in page order: pages of ``limit`` roots, each ended as
    ``conversation_page`` ends it when its replies pass ``MAX_REPLIES``."""
    start = 0
    while True:
        page = replies[start : start + limit]
        seen, passed = 0, None
        for k, n in enumerate(page):
            seen += n
            if seen > conversations.MAX_REPLIES:
                passed = k
                break
        end = start + kept(passed, len(page))
        if target < end:
            return start
        start = end
