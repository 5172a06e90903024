"""Authors edit and withdraw their own comment for a short time after posting it.

Every accepted intake answer carries an edit token (256 random bits, URL-safe) and
``edit_until`` (``MODERATO_EDIT_WINDOW`` seconds after posting; 0 turns the feature off).
Only the token's SHA-256 is stored; a presented token is compared in constant time. With
the token, until ``edit_until``:

- **edit**: the text is replaced (validated as at intake), ``edited_at`` set, the text
  before kept for moderators (``previous_text``) and the revision bumped; the comment goes
  back to ``pending`` through ``lifecycle.transition`` (action ``edited``, actor
  ``author``, webhook ``comment.edited``) and is queued for the classifier, which decides
  it as a new comment. A decision about the text before the edit, still under way, was
  made on the old revision and changes nothing. Sending the text it already has changes
  nothing. An edit may name the revision it was made on (``revision``; 0 is the text
  posted): another by now is ``409 edit_conflict`` (a stale tab's edit would otherwise
  replace the text of another's, unread).
- **withdraw**: the comment leaves its thread at once (rejected, ``withdrawn``) and its
  text and personal data are erased as a privacy erasure erases a comment
  (``privacy.erase_comment``). No moderator can publish it again.

The errors, in the contract's shape: ``404 comment_not_found``, ``403
invalid_edit_token``, ``403 edit_window_closed``, ``409 edit_conflict`` (a stale
revision), ``409 not_editable`` (an edit of a
rejected comment; a withdrawal of one a moderator rejected: withdrawing one the classifier
rejected is allowed, and one already withdrawn answers as the first time did), ``403
thread_closed`` (an edit under a closed thread; a withdrawal is allowed there).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import privacy, request_ids, threads
from service.clock import utcnow
from service.errors import Conflict, Forbidden, NotFound
from service.ids import looks_like_id
from service.lifecycle import AUTHOR, Change, Outcome, transition
from service.rendering import render
from service.status import Rejection, State
from service.store.tables import AuditEntry, Comment, Site

#: The request header that carries the token (a header: never in a URL, so never in a log).
HEADER = "Moderato-Edit-Token"

#: Times an edit re-reads a comment the worker (or a moderator) changed under it.
RETRIES = 3


@dataclass(frozen=True, slots=True)
class Grant:
    """A fresh edit token (shown once, in the intake's answer), its hash and its end."""

    token: str
    digest: str
    until: datetime


def token_hash(token: str) -> str:
    """Return the stored form of a token: its SHA-256 (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(until: datetime) -> Grant:
    token = secrets.token_urlsafe(32)
    return Grant(token, token_hash(token), until)


def grant(window: int, now: datetime | None = None) -> Grant | None:
    """Return a new token valid for ``window`` seconds from ``now``; None when the window is 0."""
    if window <= 0:
        return None
    return _issue((now or utcnow()) + timedelta(seconds=window))


def regrant(comment: Comment) -> Grant | None:
    """Return a new token replacing ``comment``'s, for its window's remaining time (an
    idempotent replay of its intake: the first answer's token cannot be shown again, only
    its hash is kept); None once the window is over or when it never had one."""
    if comment.edit_until is None or comment.edit_until <= utcnow():
        return None
    fresh = _issue(comment.edit_until)
    comment.edit_token_hash = fresh.digest
    return fresh


def _load(session: Session, comment_id: str) -> Comment:
    comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
    if comment is None:
        raise NotFound("There is no such comment.", code="comment_not_found")
    return comment


def _authorise(comment: Comment, token: str | None, window_on: bool) -> None:
    """Raise 403 unless ``token`` is the comment's and its window is still open."""
    stored = comment.edit_token_hash
    presented = token_hash(token) if token else ""
    # compared in constant time, and hashed first: the stored value is never the token
    if not stored or not hmac.compare_digest(presented, stored):
        raise Forbidden(
            f"The {HEADER} header does not hold this comment's edit token.",
            code="invalid_edit_token",
        )
    if not window_on or comment.edit_until is None or comment.edit_until <= utcnow():
        raise Forbidden(
            "The time to edit or delete this comment is over.", code="edit_window_closed"
        )


def _not_editable() -> Conflict:
    # the rejection's reason is not said: a comment rejected as a bot's got its 202 too
    return Conflict("This comment is rejected: it can no longer be edited.", code="not_editable")


def _not_withdrawable() -> Conflict:
    return Conflict(
        "A moderator rejected this comment: it can no longer be edited or deleted.",
        code="not_editable",
    )


@dataclass(frozen=True, slots=True)
class Edited:
    """An edit done: the comment, and the change (None when the text was the same)."""

    comment: Comment
    outcome: Outcome | None


def _stale(current: int) -> Conflict:
    return Conflict(
        f"This comment was edited elsewhere since (its text is now revision {current}): "
        "read it again and edit its latest text.",
        code="edit_conflict",
    )


def edit(
    session: Session,
    comment_id: str,
    token: str | None,
    text: str,
    *,
    window_on: bool,
    revision: int | None = None,
) -> Edited:
    """Replace the comment's text and send it back to the classifier (see the module);
    ``revision``, when given, is the text's revision the author edited: 409
    ``edit_conflict`` when the comment has another by now (an edit from another tab)."""
    for _ in range(RETRIES):
        comment = _load(session, comment_id)
        session.refresh(comment)
        _authorise(comment, token, window_on)
        state = State(comment.state)
        if state is State.REJECTED:
            raise _not_editable()
        if revision is not None and revision != comment.revision:
            raise _stale(comment.revision)
        site = session.get(Site, comment.site_id)
        assert site is not None
        threads.require_open(session, site, comment.thread)
        if text == comment.text:
            return Edited(comment, None)
        now = utcnow()
        change = Change(
            expected=state,
            new=State.PENDING,
            actor=AUTHOR,
            action="edited",
            author_edit=True,
            revision=comment.revision,
            values={
                "text": text,
                "html": render(text),
                "previous_text": comment.text,
                "edited_at": now,
                # the scores and the decision were about the text before
                "spam": None,
                "toxicity": None,
                "decision": None,
                "model_version": None,
                "decided_at": None,
                "attempts": 0,
                "enqueued_at": now,
            },
            # the request's id: a re-queue by the sweep carries it (service.request_ids)
            details={"revision": comment.revision + 1, **request_ids.audit_details()},
        )
        outcome = transition(session, comment.id, change)
        if outcome is not None:
            return Edited(outcome.comment, outcome)
    raise Conflict("The comment kept changing while it was edited; try again.", code="conflict")


def withdraw(
    session: Session, comment_id: str, token: str | None, *, window_on: bool
) -> tuple[Comment, list[str]]:
    """Take the comment out of its thread (rejected, ``withdrawn``) and erase it; return it
    and the webhook outbox rows to send. A second call answers as the first did."""
    comment = _load(session, comment_id)
    _authorise(comment, token, window_on)
    if comment.state == State.REJECTED.value:
        if comment.rejection == Rejection.WITHDRAWN.value:
            return comment, []
        if not _rejected_by_classifier(session, comment.id):
            raise _not_withdrawable()
    try:
        erased = privacy.erase_comment(
            session, comment, AUTHOR, action="withdrawn", rejection=Rejection.WITHDRAWN, note=None
        )
    except privacy.ErasureConflict as exc:  # the erasure rolls back with this transaction
        raise Conflict(
            "The comment kept changing while it was withdrawn; try again.", code="conflict"
        ) from exc
    session.refresh(comment)
    if comment.rejection != Rejection.WITHDRAWN.value or not _rejected_by_classifier(
        session, comment.id
    ):
        # A moderator rejected it between our read and the take-down: answer as if they had
        # been first (the erasure rolls back with this transaction), rather than leave an
        # erased shell that "not spam" could publish (found in review), or erase what a
        # human judged.
        raise _not_withdrawable()
    return comment, erased.deliveries


def _rejected_by_classifier(session: Session, comment_id: str) -> bool:
    """Tell whether the latest move of the comment into ``rejected`` (if any) was the
    worker's: a moderator's rejection stands, and the author may not withdraw (erase) it;
    the classifier's, the author may (a comment edited into spam, say). Read inside the
    withdrawal's transaction after its update too, so a moderator's rejection committed
    in between is seen."""
    actor = session.scalar(
        select(AuditEntry.actor)
        .where(
            AuditEntry.comment_id == comment_id,
            AuditEntry.to_state == State.REJECTED.value,
            AuditEntry.from_state != State.REJECTED.value,
            AuditEntry.actor != AUTHOR,  # the withdrawal's own entry
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return actor is None or actor.startswith("system:")
