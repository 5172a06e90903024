"""Requests from commenters about their data: export everything kept about an e-mail
address, or erase it (GDPR articles 15 and 17; docs/deploy.md, "Privacy requests").

A commenter is known by the e-mail address they typed (trimmed, case-insensitive): the
comment form has no accounts. Erasure keeps a comment's row, id, thread, times and scores
(threads keep their shape, replies keep their parent, counts stay true) and removes what
says who wrote it or what they wrote:

- name, e-mail, website, avatar hash, IP hash, user agent, referrer, text and its HTML,
  the intake signals, and the classifier's reasons (they quote the text);
- the address and the comments' IP hashes wherever the audit log or a decision summary
  repeats them (a ban hit); moderators' notes on those comments and readers' report
  notes (they may quote the author);
- the text in webhook outbox rows about the comment (a pending delivery goes out with
  the erased body);
- Akismet-compatible check records sent with that address, and their feedback labels;
- its reply-notification subscriptions and their mails (``service/notify/privacy.py``),
  and each comment's opt-in to them.

A comment not already rejected is taken down first, through the lifecycle (rejection
``moderator``, action ``erase``), so subscribers get ``comment.rejected`` and the thread no
longer lists it; a featured comment loses its flag with it (``service.featured``).
Moderator labels stay (a label without text is no training data, but the record of a
decision is the site's). Bans on the address stay: keeping an abuser out is the
site's legitimate interest; an admin lifts them in the dashboard.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from service import events, sites
from service.clock import rfc3339
from service.lifecycle import Change, Outcome, transition
from service.notify import privacy as notify_privacy
from service.status import Rejection, State
from service.store import Database
from service.store.tables import (
    AuditEntry,
    Ban,
    Comment,
    IdempotencyKey,
    Label,
    Report,
    Site,
    WebhookDelivery,
)
from service.store.tables_integrations import Check

ERASED = "[erased]"
ERASE_NOTE = "erased at the author's request"
CHUNK = 200  # comments per query (SQLite limits an expression's depth and its parameters)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure changed."""

    comments: int
    taken_down: int
    checks: int
    deliveries: list[str]  # outbox rows of the take-downs, to enqueue
    subscriptions: int = 0  # reply-notification subscriptions deleted


def normalise(email: str) -> str:
    """Return the form addresses are matched in; raise ValueError for something not one."""
    value = email.strip().lower()
    if "@" not in value or len(value) > 254 or any(c.isspace() for c in value):
        raise ValueError(f"{email!r} is not an e-mail address")
    return value


def _like_pattern(email: str) -> str:
    """Return a LIKE pattern that finds ``email`` however its case was typed: ASCII letters
    as themselves under ``lower()``, every other character as ``_`` (SQLite's ``lower()``
    folds ASCII only, so ``Ädä@exämple.org`` was not found; found in review)."""
    return "".join("_" if not c.isascii() else "\\" + c if c in "%_\\" else c for c in email)


def _matching(session: Session, model: type[Any], email: str, site: Site | None) -> list[Any]:
    """Return the rows of ``model`` (comments or checks) sent with ``email``."""
    column = model.author_email
    query = select(model).where(
        func.lower(func.trim(column)).like(_like_pattern(email), escape="\\")
    )
    if site is not None:
        query = query.where(model.site_id == site.id)
    rows = session.scalars(query.order_by(model.created_at, model.id))
    return [r for r in rows if (r.author_email or "").strip().lower() == email]


def _comments(session: Session, email: str, site: Site | None) -> list[Comment]:
    return _matching(session, Comment, email, site)


def _checks(session: Session, email: str, site: Site | None) -> list[Check]:
    return _matching(session, Check, email, site)


def _slugs(session: Session) -> dict[int, str]:
    return {site.id: site.slug for site in session.scalars(select(Site))}


def export(session: Session, email: str, site: Site | None = None) -> dict[str, Any]:
    """Return everything kept about ``email``, as JSON data: its comments (every field,
    the classifier's decision included), its Akismet-compatible check records, the bans
    on the address and its reply-notification subscriptions."""
    email = normalise(email)
    slugs = _slugs(session)
    return {
        "email": email,
        "comments": [
            {
                "id": c.id,
                "site": slugs.get(c.site_id, ""),
                "thread": c.thread,
                "parent": c.parent_id,
                "status": c.state,
                "rejection": c.rejection,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "avatar": c.avatar,
                "text": c.text,
                "html": c.html,
                "created_at": rfc3339(c.created_at),
                "updated_at": rfc3339(c.updated_at),
                "published_at": rfc3339(c.published_at) if c.published_at else None,
                "permalink": c.permalink,
                "referrer": c.referrer,
                "user_agent": c.user_agent,
                "ip_hash": c.ip_hash,
                "signals": c.signals or {},
                "notify_replies": c.notify_replies,
                "language": c.lang,
                "scores": None if c.spam is None else {"spam": c.spam, "toxicity": c.toxicity},
                "decision": c.decision,
                "featured": c.featured_at is not None,
                "edited_at": rfc3339(c.edited_at),
                "previous_text": c.previous_text,
            }
            for c in _comments(session, email, site)
        ],
        "checks": [
            {
                "id": k.id,
                "site": slugs.get(k.site_id, ""),
                "source": k.source,
                "author_name": k.author_name,
                "author_email": k.author_email,
                "author_url": k.author_url,
                "text": k.text,
                "permalink": k.permalink,
                "user_agent": k.user_agent,
                "ip_hash": k.ip_hash,
                "comment_type": k.comment_type,
                "created_at": rfc3339(k.created_at),
                "verdict": k.verdict,
                "scores": {"spam": k.spam, "toxicity": k.toxicity},
            }
            for k in _checks(session, email, site)
        ],
        "bans": [
            {
                "site": slugs.get(b.site_id, "") if b.site_id else "every site",
                "kind": b.kind,
                "value": b.value,
                "note": b.note,
                "created_at": rfc3339(b.created_at),
            }
            for b in session.scalars(
                select(Ban).where(Ban.kind == "email", Ban.value == email).order_by(Ban.id)
            )
            if site is None or b.site_id in (None, site.id)
        ],
        "ban_history": [
            {
                "action": e.action,
                "site": slugs.get(e.site_id, "") if e.site_id else "every site",
                "by": e.actor,
                "note": e.note,
                "at": rfc3339(e.created_at),
            }
            for e in _ban_entries(session, email, site)
        ],
        "reply_notifications": notify_privacy.export(session, email, site, slugs),
    }


def _ban_entries(session: Session, email: str, site: Site | None) -> list[AuditEntry]:
    """Return the audit entries of bans on the address and their lifts: they name it
    without naming a comment (a hand ban, an unban; found in review: an erasure left them
    and an export did not show them)."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(("ban", "unban")))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [
        e
        for e in entries
        if (e.details or {}).get("kind") == "email"
        and str((e.details or {}).get("value", "")).lower() == email
        and (site is None or e.site_id in (None, site.id))
    ]


def audit_export(session: Session, found: dict[str, Any], actor: str) -> None:
    """Record that an export was made, by whom: counts only, never the address."""
    counts = {k: len(found[k]) for k in ("comments", "checks", "bans", "reply_notifications")}
    session.add(AuditEntry(actor=actor, action="privacy_export", details=counts))


def checkpoint(database: Database) -> None:
    """On SQLite, fold the write-ahead log into the database file and truncate it, so the
    erased text does not linger in ``moderato.db-wal`` until the next shutdown (found in
    review). Nothing to do on PostgreSQL."""
    if database.engine.dialect.name == "sqlite":
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def erase(session: Session, email: str, actor: str, site: Site | None = None) -> Erasure:
    """Take down and scrub every comment sent with ``email``; delete its check records. One
    transaction: for a few hundred comments (the dashboard); see ``erase_in_batches``."""
    email = normalise(email)
    found = _comments(session, email, site)
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
    database: Database, email: str, actor: str, site_slug: str | None = None, batch: int = BATCH
) -> Erasure:
    """``erase``, committed ``batch`` comments at a time, so a commenter with thousands of
    comments never holds the database's write lock for long (SQLite has one writer: the
    comment form and the worker wait behind it, up to the busy timeout; on SQLite it pauses
    between batches to let them in). The comments are found once; those that arrive
    meanwhile are erased with the check records in the last transaction, which writes the
    audit entry with the totals. An interrupted run leaves the batches it committed erased;
    running it again finishes the rest (an erased comment no longer carries the address)."""
    email = normalise(email)
    with database.session() as session:
        found = _comments(session, email, _site(session, site_slug))
        ids = [c.id for c in found]
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
        site = _site(session, site_slug)
        late = _comments(session, email, site)  # sent while the batches ran
        if late:
            more = sorted(set(needles) | set(_needles(email, late)))
            total = _plus(total, _erase_comments(session, late, actor, more))
        return _finish(session, email, actor, site, total)


def _plus(total: Erasure, done: Erasure) -> Erasure:
    return Erasure(
        total.comments + done.comments,
        total.taken_down + done.taken_down,
        total.checks + done.checks,
        total.deliveries + done.deliveries,
    )


def _site(session: Session, slug: str | None) -> Site | None:
    if slug is None:
        return None
    site = sites.by_slug(session, slug)
    if site is None:
        raise ValueError(f"no site {slug!r}")
    return site


def _needles(email: str, found: list[Comment]) -> list[str]:
    """What the audit log, decision summaries and outbox may repeat: the address and the
    comments' IP hashes ("banned ip: …"; found in review)."""
    return [email, *sorted({c.ip_hash for c in found if c.ip_hash})]


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
    scrub = _scrubber(needles)
    deliveries: list[str] = []
    taken_down = 0
    for comment in found:
        outcome = _take_down(session, comment, actor, scrub, how)
        if outcome is not None:
            taken_down += 1
            deliveries += outcome.deliveries
    slugs, fresh = _slugs(session), set(deliveries)
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        ids = [c.id for c in chunk]
        _scrub_audit(session, ids, scrub)
        _scrub_outbox(session, chunk, fresh, scrub, slugs)
        # an Idempotency-Key's fingerprint hashes a body holding the address and the text
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.comment_id.in_(ids)))
    return Erasure(len(found), taken_down, 0, deliveries)


def _finish(session: Session, email: str, actor: str, site: Site | None, done: Erasure) -> Erasure:
    """Delete the address's check records and record the erasure: counts only."""
    checks = _checks(session, email, site)
    if checks:
        check_ids = [k.id for k in checks]
        session.execute(delete(Label).where(Label.check_id.in_(check_ids)))
        session.execute(delete(Check).where(Check.id.in_(check_ids)))
    subscriptions = notify_privacy.erase(session, email, site)
    done = Erasure(done.comments, done.taken_down, len(checks), done.deliveries, subscriptions)
    for entry in _ban_entries(session, email, site):  # they name no comment
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
        _scrub_comment(comment, scrub)
        session.flush()  # the take-down's event carries the erased fields
        state = State(comment.state)
        action, rejection, note = how
        if state is State.REJECTED:
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


def _scrubber(needles: list[str]) -> Any:
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return scrub


def _scrub_comment(comment: Comment, scrub: Any) -> None:
    comment.author_name = ERASED
    comment.author_email = ""
    comment.author_url = None
    comment.avatar = ""
    comment.text = ""
    comment.html = f"<p><em>{ERASED}</em></p>"
    comment.ip_hash = None
    comment.user_agent = None
    comment.referrer = None
    comment.signals = {}
    comment.notify_replies = False
    comment.lang = None
    comment.previous_text = None  # the text before an author's edit
    if comment.decision:
        decision = dict(comment.decision)
        decision["reasons"] = [
            {"model": r.get("model"), "kind": r.get("kind"), "weight": r.get("weight")}
            for r in decision.get("reasons") or []
            if isinstance(r, dict)
        ]
        comment.decision = scrub(decision)


def _scrub_audit(session: Session, ids: list[str], scrub: Any) -> None:
    """Scrub the address and IP hashes from the comments' audit entries, and replace the
    moderators' notes on them (a note may quote the author's name or words; found in
    review). Readers' report notes on them go too."""
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.comment_id.in_(ids))):
        details = scrub(entry.details or {})
        note = entry.note if entry.note in (None, "", ERASE_NOTE) else ERASED
        if details != (entry.details or {}) or note != entry.note:
            entry.details, entry.note = details, note
    session.execute(
        update(Report).where(Report.comment_id.in_(ids), Report.note.is_not(None)).values(note=None)
    )


def _scrub_outbox(
    session: Session,
    comments: list[Comment],
    fresh: set[str],
    scrub: Any,
    slugs: dict[int, str],
) -> None:
    """Rewrite the body of every outbox row about these comments with the erased fields
    (rows of the take-down just recorded carry them already)."""
    by_id = {c.id: c for c in comments}
    mentions = or_(*(WebhookDelivery.payload.contains(cid, autoescape=True) for cid in by_id))
    for row in session.scalars(select(WebhookDelivery).where(mentions)):
        if row.id in fresh:
            continue
        body = json.loads(row.payload)
        comment = by_id.get(str(body.get("data", {}).get("id")))
        if comment is None:
            continue
        sent = body["data"]
        # The state at the time of the event, and a moderation's action and note, stay.
        kept = {
            k: sent[k] for k in ("status", "rejection", "action", "actor", "report") if k in sent
        }
        if "note" in sent:  # a moderator's note may quote the author
            kept["note"] = sent["note"] if sent["note"] in (None, "", ERASE_NOTE) else ERASED
        fresh_data = events.comment_data(comment, slugs.get(comment.site_id, ""))
        body["data"] = scrub({**fresh_data, **kept})
        row.payload = json.dumps(body)
