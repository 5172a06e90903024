"""Which page of a thread's listing holds one comment: a link to a comment (the no-JS
thread's ``comment=<id>``, in feed entries and reply mails; the listing API's, which the
widget sends for ``#comment-<id>``) opens that page.

The page is the one "Load more" from the first page reaches, found from counts on the
thread's index (``ix_comments_thread``) without reading the pages before it; its cursor
is an ordinary one, so the page goes on as any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, String, and_, bindparam, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from service import conversations
from service.comments import in_order, past
from service.conversations import IS_ROOT, kept, reply_counts
from service.ids import looks_like_id
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
    comment of the thread (it opens the first page, as without one)."""
    found = locate(
        session, site, thread, comment_id, by="conversation", featured=False,
        newest_first=newest_first, limit=limit,
    )  # fmt: skip
    return found.after if found else None


@dataclass(frozen=True, slots=True)
class Found:
    """The page of a listing that holds a comment: its cursor position (None: the first)."""

    after: tuple[datetime, str] | None


def locate(
    session: Session,
    site: Site,
    thread: str,
    comment_id: str,
    *,
    by: str,
    featured: bool,
    newest_first: bool,
    limit: int,
) -> Found | None:
    """Return the page of ``limit`` the thread's listing (``by`` conversation or comment,
    ``featured`` or all, as ``thread_page`` pages it) that holds ``comment_id``; None when
    that listing does not hold it (not an id, not a published comment of the thread, not
    featured in the featured list)."""
    if not looks_like_id(comment_id):
        return None
    if by == "conversation" and not featured:
        params = {"comment": comment_id, "site": site.id, "thread": thread}
        found = session.execute(_ROOT, params).first()
        if found is None:
            return None
        root = (found[0], found[1])
        return Found(_conversation_page(session, site, thread, root, newest_first, limit))
    return _flat_page(session, site, thread, comment_id, featured, newest_first, limit)


def _flat_page(
    session: Session,
    site: Site,
    thread: str,
    comment_id: str,
    featured: bool,
    newest_first: bool,
    limit: int,
) -> Found | None:
    """Return the page of a flat list (by comment, or the featured picks) holding the
    comment: one count of the comments before it, then the one that ends the page before."""
    listed = [
        Comment.site_id == site.id,
        Comment.thread == thread,
        Comment.state == State.PUBLISHED.value,
    ]
    if featured:
        listed.append(Comment.featured_at.is_not(None))
    key = session.execute(
        select(Comment.created_at, Comment.id).where(*listed, Comment.id == comment_id)
    ).first()
    if key is None:
        return None
    before = past((key[0], key[1]), not newest_first)
    position = session.execute(select(func.count()).where(*listed, before)).scalar_one()
    if position < limit:
        return Found(None)
    row = session.execute(
        select(Comment.created_at, Comment.id)
        .where(*listed, before)
        .order_by(*in_order(newest_first))
        .offset(position // limit * limit - 1)
        .limit(1)
    ).one()
    return Found((row[0], row[1]))


def _conversation_page(
    session: Session,
    site: Site,
    thread: str,
    root: tuple[datetime, str],
    newest_first: bool,
    limit: int,
) -> tuple[datetime, str] | None:
    """Return the cursor position of the page of conversations that holds ``root``; None
    for the first page.

    One count says how many roots come before that root, and whether the thread has replies
    enough for ``MAX_REPLIES`` to end a page early. Most have not: the pages are then
    ``limit`` roots each, and the page's cursor is a few roots back. Else the pages before
    are laid out as ``conversation_page`` ends them, from each root's count of replies.
    """
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
