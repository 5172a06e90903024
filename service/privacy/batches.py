"""``erase_in_batches``: an erasure committed a batch of comments at a time (the command
line, the dashboard and the API), so a commenter with thousands of comments never holds
the database's write lock for long."""

from __future__ import annotations

import time

from sqlalchemy import select

from service.privacy import lookup
from service.privacy.erasure import Erasure, erase_found, finish, needles_of, plus
from service.store import Database
from service.store.tables import Comment

#: Comments per transaction of ``erase_in_batches`` (about 0.4 s of SQLite's write lock
#: here), and the pause between two on SQLite. Its busy handler polls a locked database
#: every 100 ms at most, so without the pause back-to-back batches starve the writers
#: waiting behind them (bench/bench_erasure.py: a concurrent write waited 2.5 s behind
#: batches of 200 with no pause).
BATCH = 100
PAUSE = 0.15


def erase_in_batches(
    database: Database,
    email: str,
    actor: str,
    site_slug: str | None = None,
    batch: int = BATCH,
    *,
    limit: int | None = None,
    own_rows_only: bool = False,
) -> Erasure:
    """``erase``, committed ``batch`` comments at a time, so a commenter with thousands of
    comments never holds the database's write lock for long (SQLite has one writer: the
    comment form and the worker wait behind it, up to the busy timeout; on SQLite it pauses
    between batches to let them in). The comments are found once; those that arrive
    meanwhile are erased with the check records in the last transaction, which writes the
    audit entry with the totals. An interrupted run leaves the batches it committed erased;
    running it again finishes the rest (an erased comment no longer carries the address).

    With ``limit``, at most that many comments are erased (the oldest first) and the rest
    are counted in ``remaining``, for another run (the API: a request's time stays bounded).
    ``own_rows_only`` (with a site) leaves the audit entries of bans on every site alone:
    they are the installation's, not the site's (the API's site keys)."""
    email = lookup.normalise(email)
    with database.session() as session:
        found = lookup.comments(session, email, lookup.site_by_slug(session, site_slug))
        ids = [c.id for c in found]
        if limit is not None:
            found, ids = found[:limit], ids[:limit]
        # Every IP hash, read once: a later batch's summaries may repeat an earlier one's.
        needles = needles_of(email, found)
    total = Erasure(0, 0, 0, [])
    pause = PAUSE if database.engine.dialect.name == "sqlite" else 0.0
    for start in range(0, len(ids), batch):
        if start:
            time.sleep(pause)
        with database.session() as session:
            chunk = session.scalars(
                select(Comment)
                .where(Comment.id.in_(ids[start : start + batch]))
                .order_by(Comment.created_at, Comment.id)
            )
            total = plus(total, erase_found(session, list(chunk), actor, needles))
    with database.session() as session:
        site = lookup.site_by_slug(session, site_slug)
        late = lookup.comments(session, email, site)  # sent while the batches ran, or beyond
        remaining = 0
        if late and limit is not None and total.comments + len(late) > limit:
            remaining = len(late)  # another run erases them; not in this transaction
        elif late:
            more = sorted(set(needles) | set(needles_of(email, late)))
            total = plus(total, erase_found(session, late, actor, more))
        return finish(
            session, email, actor, site, total, remaining=remaining, own_rows_only=own_rows_only
        )
