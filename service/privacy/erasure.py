"""Erase what was sent with an e-mail address (GDPR article 17): take each comment down
through the lifecycle, scrub it and what repeats it, delete the check records."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import idempotency
from service.lifecycle import Change, Outcome, transition
from service.notify import privacy as notify_privacy
from service.privacy import lookup, scrubbing
from service.privacy.scrubbing import ERASE_NOTE, ERASED
from service.status import Rejection, State
from service.store import BUSY_TIMEOUT_MS, Database
from service.store.tables import AuditEntry, Comment, Label, Site
from service.store.tables_integrations import Check

CHUNK = 200  # comments per query (SQLite limits an expression's depth and its parameters)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure changed."""

    comments: int
    taken_down: int
    checks: int
    deliveries: list[str]  # outbox rows of the take-downs, to enqueue
    subscriptions: int = 0  # reply-notification subscriptions deleted
    remaining: int = 0  # comments left for another run (``erase_in_batches``' ``limit``)


#: How long one checkpoint attempt may wait for SQLite's locks (milliseconds), and the
#: attempts. A ``TRUNCATE`` checkpoint that waits keeps new writers out meanwhile, so it
#: waits briefly and tries again rather than queue the comment form behind a long reader
#: for the connection's 30 s busy timeout.
CHECKPOINT_WAIT_MS = 200
CHECKPOINT_TRIES = 3


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """SQLite's answer to ``PRAGMA wal_checkpoint``: done unless ``busy``."""

    busy: bool
    log_frames: int
    checkpointed: int


def checkpoint(database: Database, tries: int = CHECKPOINT_TRIES) -> Checkpoint | None:
    """On SQLite, fold the write-ahead log into the database file and truncate it, so the
    erased text does not linger in ``moderato.db-wal`` until the next shutdown (found in
    review). Each attempt waits at most ``CHECKPOINT_WAIT_MS`` for readers and writers, with
    a pause between two; returns SQLite's last answer (``busy``: a reader kept an older
    snapshot, the log was not truncated; SQLite's own checkpoints fold it in later). Nothing
    to do on PostgreSQL (None)."""
    if database.engine.dialect.name != "sqlite":
        return None
    result = Checkpoint(True, -1, -1)
    with database.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(tries):
                if attempt:
                    time.sleep(CHECKPOINT_WAIT_MS / 1000)
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                result = Checkpoint(bool(row[0]), int(row[1]), int(row[2]))
                if not result.busy:
                    break
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return result


def erase(session: Session, email: str, actor: str, site: Site | None = None) -> Erasure:
    """Take down and scrub every comment sent with ``email``; delete its check records. One
    transaction: for a few hundred comments (the dashboard); see ``erase_in_batches``."""
    email = lookup.normalise(email)
    found = lookup.comments(session, email, site)
    done = _erase_comments(session, found, actor, _needles(email, found))
    return _finish(session, email, actor, site, done)


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
        needles = _needles(email, found)
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
            total = _plus(total, _erase_comments(session, list(chunk), actor, needles))
    with database.session() as session:
        site = lookup.site_by_slug(session, site_slug)
        late = lookup.comments(session, email, site)  # sent while the batches ran, or beyond
        remaining = 0
        if late and limit is not None and total.comments + len(late) > limit:
            remaining = len(late)  # another run erases them; not in this transaction
        elif late:
            more = sorted(set(needles) | set(_needles(email, late)))
            total = _plus(total, _erase_comments(session, late, actor, more))
        done = _finish(session, email, actor, site, total, own_rows_only=own_rows_only)
        return replace(done, remaining=remaining)


def _plus(total: Erasure, done: Erasure) -> Erasure:
    return Erasure(
        total.comments + done.comments,
        total.taken_down + done.taken_down,
        total.checks + done.checks,
        total.deliveries + done.deliveries,
    )


def _needles(email: str, found: list[Comment]) -> list[str]:
    """What the audit log, decision summaries and outbox may repeat: the address and the
    comments' IP hashes ("banned ip: …"; found in review), and the address as each comment
    spelled it (``İnci@…`` is not ``i̇nci@…`` to a case-blind regular expression)."""
    typed = {f(c.author_email.strip()) for c in found for f in (str, str.lower) if c.author_email}
    return [email, *sorted(typed - {email}), *sorted({c.ip_hash for c in found if c.ip_hash})]


def erase_comment(
    session: Session,
    comment: Comment,
    actor: str,
    *,
    action: str,
    rejection: Rejection,
    note: str | None,
) -> Erasure:
    """Take one comment out of its thread and erase it as ``erase`` erases each comment of
    an address (its author's withdrawal: ``service.edits``), with ``action``, ``rejection``
    and ``note`` on the take-down; the address's other comments, check records and
    subscriptions are left alone, and no ``privacy_erase`` entry is written."""
    needles = [n for n in (comment.author_email.strip().lower(), comment.ip_hash) if n]
    return _erase_comments(session, [comment], actor, needles, (action, rejection, note))


#: The take-down of an erasure: its audit action, rejection reason and note.
TakeDown = tuple[str, Rejection, str | None]
ERASE: TakeDown = ("erase", Rejection.MODERATOR, ERASE_NOTE)


def _erase_comments(
    session: Session,
    found: list[Comment],
    actor: str,
    needles: list[str],
    how: TakeDown = ERASE,
) -> Erasure:
    """Take down and scrub ``found``, with their audit entries, report notes and outbox
    rows. The check records and the audit entry of the erasure are ``_finish``'s."""
    scrub = scrubbing.scrubber(needles)
    deliveries: list[str] = []
    taken_down = 0
    for comment in found:
        outcome = _take_down(session, comment, actor, scrub, how)
        if outcome is not None:
            taken_down += 1
            deliveries += outcome.deliveries
    slugs, fresh = lookup.slugs(session), set(deliveries)
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        ids = [c.id for c in chunk]
        scrubbing.scrub_audit(session, ids, scrub)
        scrubbing.scrub_outbox(session, chunk, fresh, scrub, slugs)
        # an Idempotency-Key's fingerprint hashes a body holding the address and the text:
        # it goes, the key stays (a site server's retry must not store the comment again)
        idempotency.forget_bodies(session, ids)
    return Erasure(len(found), taken_down, 0, deliveries)


def _finish(
    session: Session,
    email: str,
    actor: str,
    site: Site | None,
    done: Erasure,
    *,
    own_rows_only: bool = False,
) -> Erasure:
    """Delete the address's check records and record the erasure: counts only."""
    checks = lookup.checks(session, email, site)
    if checks:
        check_ids = [k.id for k in checks]
        session.execute(delete(Label).where(Label.check_id.in_(check_ids)))
        session.execute(delete(Check).where(Check.id.in_(check_ids)))
    subscriptions = notify_privacy.erase(session, email, site)
    done = Erasure(done.comments, done.taken_down, len(checks), done.deliveries, subscriptions)
    # they name no comment
    for entry in lookup.ban_entries(session, email, site, own_rows_only=own_rows_only):
        entry.details = {**(entry.details or {}), "value": ERASED}
        entry.note = ERASED if entry.note else entry.note
    # The record that an erasure happened, by whom: counts only, never the address.
    session.add(
        AuditEntry(
            site_id=site.id if site is not None else None,
            actor=actor,
            action="privacy_erase",
            details={
                "comments": done.comments,
                "taken_down": done.taken_down,
                "checks": done.checks,
                "reply_notifications": done.subscriptions,
            },
        )
    )
    return done


#: Times an erasure re-reads a comment whose state changed under it (the worker deciding
#: a pending comment meanwhile) before giving up on taking it down.
RETRIES = 5


def _take_down(
    session: Session, comment: Comment, actor: str, scrub: Any, how: TakeDown = ERASE
) -> Outcome | None:
    """Scrub ``comment`` and move it to rejected; re-read and retry when the worker (or a
    moderator) changed it meanwhile, so an erased comment never stays published with the
    worker's freshly quoted reasons (found in review). Returns the take-down, or None for a
    comment that was rejected already."""
    for _ in range(RETRIES):
        session.refresh(comment)
        scrubbing.scrub_comment(comment, scrub)
        session.flush()  # the take-down's event carries the erased fields
        state = State(comment.state)
        action, rejection, note = how
        # a rejected comment stays as it is, but for its author's withdrawal of one the
        # classifier rejected (service.edits checks that): rejected → rejected, withdrawn
        withdraws = rejection is Rejection.WITHDRAWN and comment.rejection != rejection.value
        if state is State.REJECTED and not withdraws:
            session.add(AuditEntry.unchanged(comment, actor, action, note))
            return None
        change = Change(
            expected=state,
            new=State.REJECTED,
            actor=actor,
            action=action,
            rejection=rejection,
            note=note,
        )
        outcome = transition(session, comment.id, change)
        if outcome is not None:
            return outcome
    raise RuntimeError(f"comment {comment.id} kept changing during its erasure; run it again")
