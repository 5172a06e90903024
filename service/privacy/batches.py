"""``erase_in_batches``: an erasure committed a batch of comments at a time (the command
line, the dashboard and the API), so a commenter with thousands of comments never holds
the database's write lock for long."""

from __future__ import annotations

import time

from sqlalchemy import select

from service.privacy import lookup
from service.privacy.erasure import Erasure, ErasureConflict, erase_found, finish, needles_of, plus
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
    A comment that keeps changing under it is left out of its batch (the others are erased)
    and counted in ``remaining``; the run finishes and records the rest, then raises
    ``ErasureConflict`` with what it did.

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
    total, skipped = Erasure(0, 0, 0, []), list[str]()
    pause = PAUSE if database.engine.dialect.name == "sqlite" else 0.0
    for start in range(0, len(ids), batch):
        if start:
            time.sleep(pause)
        done = _erase_batch(database, ids[start : start + batch], actor, needles, skipped)
        total = plus(total, done)
    while True:  # twice at most: the second time erases no comment, so nothing can change
        try:
            with database.session() as session:
                site = lookup.site_by_slug(session, site_slug)
                late = lookup.comments(session, email, site)  # sent meanwhile, or beyond
                over = limit is not None and total.comments + len(late) > limit
                done = total
                if late and not over and not skipped:
                    more = sorted(set(needles) | set(needles_of(email, late)))
                    done, late = plus(total, erase_found(session, late, actor, more)), []
                # else another run erases them; not in this transaction
                done = finish(
                    session,
                    email,
                    actor,
                    site,
                    done,
                    remaining=len(late),
                    own_rows_only=own_rows_only,
                )
            break
        except ErasureConflict as exc:
            skipped.append(exc.comment_id)
    if skipped:
        raise ErasureConflict(skipped[0], done)
    return done


def _erase_batch(
    database: Database, ids: list[str], actor: str, needles: list[str], skipped: list[str]
) -> Erasure:
    """Erase the comments ``ids`` in one transaction. One that keeps changing is added to
    ``skipped`` and the batch is erased again without it (its transaction rolled back with
    the comment's scrubbing: an erased comment left published would no longer be found)."""
    while True:
        try:
            with database.session() as session:
                chunk = session.scalars(
                    select(Comment)
                    .where(Comment.id.in_([i for i in ids if i not in skipped]))
                    .order_by(Comment.created_at, Comment.id)
                )
                return erase_found(session, list(chunk), actor, needles)
        except ErasureConflict as exc:
            skipped.append(exc.comment_id)
