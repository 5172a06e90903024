"""Erase what was sent with an e-mail address (GDPR article 17): take each comment down
through the lifecycle, scrub it and what repeats it, delete the check records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from service import idempotency
from service.addresses import spellings
from service.lifecycle import Change, Outcome, transition
from service.notify import privacy as notify_privacy
from service.privacy import lookup, scrubbing
from service.privacy.scrubbing import ERASE_NOTE, ERASED
from service.status import Rejection, State
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
    remaining: int = 0  # comments left for another run (``limit``, or an ``ErasureConflict``)


class ErasureConflict(Exception):
    """A comment kept changing under its erasure (a worker or a moderator moved it between
    each read and take-down, ``RETRIES`` times): nothing of it was erased. From ``erase``,
    nothing was (one transaction: the caller's rolls back). From ``erase_in_batches``, the
    rest was erased and recorded first: ``done`` says what, and what ``remaining``; the
    same erasure run again finishes it."""

    def __init__(self, comment_id: str, done: Erasure | None = None) -> None:
        super().__init__(f"comment {comment_id} kept changing during its erasure; run it again")
        self.comment_id = comment_id
        self.done = done


def erase(session: Session, email: str, actor: str, site: Site | None = None) -> Erasure:
    """Take down and scrub every comment sent with ``email``; delete its check records. One
    transaction, for a few comments (tests, a benchmark); the command line, the dashboard
    and the API use ``batches.erase_in_batches``."""
    email = lookup.normalise(email)
    found = lookup.comments(session, email, site)
    done = erase_found(session, found, actor, needles_of(email, found))
    return finish(session, email, actor, site, done, remaining=0)


def plus(total: Erasure, done: Erasure) -> Erasure:
    """Return the sum of two erasures' comment counts and deliveries."""
    return Erasure(
        total.comments + done.comments,
        total.taken_down + done.taken_down,
        total.checks + done.checks,
        total.deliveries + done.deliveries,
    )


def needles_of(email: str, found: list[Comment]) -> list[str]:
    """What the audit log, decision summaries and outbox may repeat: the address in every
    spelling of it and of each comment's (``service.addresses.spellings``: ``İnci@…`` is
    not ``i̇nci@…``, nor ``J̌ohn@…`` ``ǰohn@…``, to a case-blind regular expression), and the
    comments' IP hashes ("banned ip: …"; found in review)."""
    typed = set(spellings(email)).union(*(spellings(c.author_email) for c in found))
    return [*sorted(typed), *sorted({c.ip_hash for c in found if c.ip_hash})]


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
    needles = needles_of(comment.author_email, [comment])
    return erase_found(session, [comment], actor, needles, (action, rejection, note))


#: The take-down of an erasure: its audit action, rejection reason and note.
TakeDown = tuple[str, Rejection, str | None]
ERASE: TakeDown = ("erase", Rejection.MODERATOR, ERASE_NOTE)


def erase_found(
    session: Session,
    found: list[Comment],
    actor: str,
    needles: list[str],
    how: TakeDown = ERASE,
) -> Erasure:
    """Take down and scrub ``found``, with their audit entries, report notes and outbox
    rows. The check records and the audit entry of the erasure are ``finish``'s."""
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


def finish(
    session: Session,
    email: str,
    actor: str,
    site: Site | None,
    done: Erasure,
    *,
    remaining: int,
    own_rows_only: bool = False,
) -> Erasure:
    """Delete the address's check records and record the erasure: counts only, with the
    comments ``remaining`` for another run (and whether nothing does: ``complete``)."""
    checks = lookup.checks(session, email, site)
    if checks:
        check_ids = [k.id for k in checks]
        session.execute(delete(Label).where(Label.check_id.in_(check_ids)))
        session.execute(delete(Check).where(Check.id.in_(check_ids)))
    subscriptions = notify_privacy.erase(session, email, site)
    done = Erasure(
        done.comments, done.taken_down, len(checks), done.deliveries, subscriptions, remaining
    )
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
                "remaining": remaining,
                "complete": remaining == 0,
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
    raise ErasureConflict(comment.id)
