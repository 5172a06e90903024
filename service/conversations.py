"""Thread pages by conversation: a page of top-level comments, each with all its replies.

A page by comment (``comments.published_page``) cuts conversations apart: in newest-first
order a late reply to an old comment arrives on the first page, far from its parent. A
page here counts *roots* (published comments whose parent is not published: top-level
ones, and replies to a comment that was taken down or never published, which would
otherwise be shown nowhere) and brings every published reply below them, at any depth.

Two queries: the roots, keyset-paginated like comment pages; then their replies, a
recursive CTE over ``parent_id`` (indexed) that only follows published comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CTE, Integer, Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from service.comments import featured_total, published_page, thread_total
from service.status import State
from service.store.tables import Comment, Site

#: Replies one page brings at most, oldest first (a page's conversations past it are cut,
#: and the answer says so): a bound on one response, far above any real conversation.
MAX_REPLIES = 2000
#: Aliases made once: building one per request (and the statements around it) cost more
#: than running the queries.
_PARENT = aliased(Comment)
#: A conversation's root: a published comment whose parent is not published.
IS_ROOT = or_(
    Comment.parent_id.is_(None),
    ~exists().where(_PARENT.id == Comment.parent_id, _PARENT.state == State.PUBLISHED.value),
)
#: Root ids a query of replies takes at once (under every database's bound parameters).
CHUNK = 500


def roots_page(
    session: Session,
    site: Site,
    thread: str,
    *,
    newest_first: bool,
    after: tuple[datetime, str] | None,
    limit: int,
) -> tuple[list[Comment], bool]:
    """Return a page of a thread's conversation roots after a cursor, and whether more exist."""
    return published_page(
        session, site, thread, newest_first=newest_first, after=after, limit=limit, only=IS_ROOT
    )


def _tree() -> CTE:
    """Build the published replies below the roots ``:roots`` (any depth), each with its
    root's id: ``(id, root)``."""
    first = (
        select(Comment.id.label("id"), Comment.parent_id.label("root"))
        # no site or thread condition: a reply is in its parent's thread (intake checks
        # it), and with one SQLite reads the whole thread instead of ix_comments_parent
        .where(
            Comment.parent_id.in_(bindparam("roots", expanding=True)),
            Comment.state == State.PUBLISHED.value,
        )
        .cte("tree", recursive=True)
    )
    child = aliased(Comment)
    return first.union_all(
        select(child.id, first.c.root).where(
            child.parent_id == first.c.id, child.state == State.PUBLISHED.value
        )
    )


def _replies_query(newest_first: bool) -> Select[Comment, str]:
    """Build, once per order, the query of the published replies below the roots
    ``:roots``, each with its root's id: conversation by conversation in the page's order,
    each oldest first, at most ``:cap`` in all."""
    tree = _tree()
    root = aliased(Comment)
    in_page_order = (
        (root.created_at.desc(), root.id.desc())
        if newest_first
        else (root.created_at.asc(), root.id.asc())
    )
    return (
        select(Comment, tree.c.root)
        .join(tree, tree.c.id == Comment.id)
        .join(root, root.id == tree.c.root)
        .order_by(*in_page_order, Comment.created_at, Comment.id)
        .limit(bindparam("cap", type_=Integer))
    )


_REPLIES = {newest: _replies_query(newest) for newest in (False, True)}


def _counts_query() -> Select[str, int]:
    """Build the query of each root's count of published replies (``:roots``)."""
    tree = _tree()
    return select(tree.c.root, func.count()).group_by(tree.c.root)


_COUNTS = _counts_query()


def reply_counts(session: Session, roots: Sequence[str]) -> dict[str, int]:
    """Return each root's count of published replies, at any depth (those with any)."""
    counts: dict[str, int] = {}
    for at in range(0, len(roots), CHUNK):
        rows = session.execute(_COUNTS, {"roots": list(roots[at : at + CHUNK])})
        counts.update((root, n) for root, n in rows)
    return counts


def replies_of(
    session: Session, roots: list[Comment], newest_first: bool
) -> tuple[dict[str, list[Comment]], str | None]:
    """Return the published replies below each root (any depth, oldest first), by root id,
    and the root whose conversation ``MAX_REPLIES`` cut (None when none was)."""
    if not roots:
        return {}, None
    ids = [r.id for r in roots]
    rows = session.execute(_REPLIES[newest_first], {"roots": ids, "cap": MAX_REPLIES + 1})
    found = [(row[0], row[1]) for row in rows]
    below: dict[str, list[Comment]] = {root_id: [] for root_id in ids}
    for comment, root_id in found[:MAX_REPLIES]:
        below[root_id].append(comment)
    return below, found[MAX_REPLIES][1] if len(found) > MAX_REPLIES else None


def conversation_page(
    session: Session,
    site: Site,
    thread: str,
    *,
    newest_first: bool,
    after: tuple[datetime, str] | None,
    limit: int,
) -> tuple[list[Comment], list[Comment], bool, bool]:
    """Return a page of up to ``limit`` conversations: (its comments, each root followed by
    its replies; its roots, for the cursor; whether more roots exist; whether a
    conversation's replies were cut).

    When the page's replies pass ``MAX_REPLIES``, the page ends before the conversation
    that passed it, which starts the next page whole; only a conversation that passes it
    alone, first on its page, is cut (its earliest replies shown).
    """
    roots, more = roots_page(
        session, site, thread, newest_first=newest_first, after=after, limit=limit
    )
    below, cut_at = replies_of(session, roots, newest_first)
    cut = False
    if cut_at is not None:
        k = next(i for i, r in enumerate(roots) if r.id == cut_at)
        keep = kept(k, len(roots))
        more = more or keep < len(roots)
        cut = k == 0
        roots = roots[:keep]
    rows = [c for root in roots for c in (root, *below[root.id])]
    return rows, roots, more, cut


def kept(passed: int | None, roots: int) -> int:
    """Return how many of a page's ``roots`` conversations it shows: all, unless the one
    at index ``passed`` takes the page's replies past ``MAX_REPLIES``; then those before
    it, or that one alone (cut) when it is first."""
    return roots if passed is None else max(passed, 1)


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """One page of a thread as its readers get it (the API's listing, the no-JS thread)."""

    rows: list[Comment]  # in the order shown: by conversation, each root then its replies
    last: Comment | None  # the next page starts after it (None: the last page)
    cut: bool  # a conversation alone past MAX_REPLIES shows its earliest replies
    total: int  # published comments in the whole thread
    featured_total: int  # featured comments in the whole thread


def thread_page(
    session: Session,
    site: Site,
    thread: str,
    *,
    by: str,
    featured: bool,
    newest_first: bool,
    after: tuple[datetime, str] | None,
    limit: int,
) -> ThreadPage:
    """Return a page of a thread by comment or by conversation (``by``); the featured
    comments (``featured``) are a flat list, each on its own, whatever ``by`` says."""
    cut = False
    if by == "conversation" and not featured:
        rows, roots, more, cut = conversation_page(
            session, site, thread, newest_first=newest_first, after=after, limit=limit
        )
    else:
        rows, more = published_page(
            session, site, thread, newest_first=newest_first, after=after, limit=limit,
            featured=featured,
        )  # fmt: skip
        roots = rows
    complete = not (more or after or cut)
    return ThreadPage(
        rows=rows,
        last=roots[-1] if more and roots else None,
        cut=cut,
        total=thread_total(session, site, thread, rows, complete=complete and not featured),
        featured_total=featured_total(session, site, thread, rows, complete=complete),
    )
