"""Every change of a comment's state goes through ``transition``: update, audit, outboxes.

A change whose expected state no longer holds changes nothing and returns
``None``: the worker treats that as "someone else already did it", a moderator
as a conflict. This, not RQ job ids, is what makes double publishing impossible.

A change may also name the text ``revision`` it was made on (the worker's decision: the
scores belong to one text); an author's edit bumps the revision, so a decision about the
text before the edit changes nothing. Only an author's edit (``author_edit``, actor
``author``) makes the moves of ``status.AUTHOR_EDITS``; only an author's withdrawal
(rejection ``withdrawn``) moves a rejected comment to rejected (one the classifier
rejected), and a comment its author withdrew is never published again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service import events, reports
from service.clock import utcnow
from service.explain import explanation
from service.notify import outbox as mail_outbox
from service.status import Label, Rejection, State, can_move
from service.store.tables import AuditEntry, Comment
from service.store.tables import Label as LabelRow

EVENT_FOR_STATE = {
    State.PUBLISHED: "comment.published",
    State.HELD: "comment.held",
    State.REJECTED: "comment.rejected",
}

#: The state events whose ``data`` carries the decision's ``reasons`` and ``summary``.
EXPLAINED = (State.HELD, State.REJECTED)

#: The audit actor of a comment's author (an edit or a withdrawal with the edit token).
AUTHOR = "author"


class IllegalTransition(ValueError):
    """A move the lifecycle table does not allow (e.g. published → held)."""


@dataclass(slots=True)
class Change:
    """One requested change of state and what to record with it."""

    expected: State
    new: State
    actor: str
    action: str
    rejection: Rejection | None = None
    note: str | None = None
    label: Label | None = None
    label_source: str = "moderator"
    values: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    #: The text revision the change was made on; None: whichever is current.
    revision: int | None = None
    #: An author's edit of their own comment: its new text goes back to the classifier.
    author_edit: bool = False


@dataclass(slots=True)
class Outcome:
    """A change that happened: the updated row and the outbox rows to send (webhook
    deliveries, and mails: ``enqueue_mails``; the sweep sends those a caller forgets)."""

    comment: Comment
    deliveries: list[str]
    mails: list[str] = field(default_factory=list)


def transition(session: Session, comment_id: str, change: Change) -> Outcome | None:
    """Apply ``change`` if the comment is still in ``change.expected``; else return None."""
    withdrawal = change.rejection is Rejection.WITHDRAWN
    if not can_move(
        change.expected, change.new, author_edit=change.author_edit, withdrawal=withdrawal
    ):
        raise IllegalTransition(f"{change.expected.value} → {change.new.value}")
    if change.new is State.REJECTED and change.rejection is None:
        raise IllegalTransition("a rejection needs a reason")
    if (change.author_edit or withdrawal) and change.actor != AUTHOR:
        raise IllegalTransition("only a comment's author edits or withdraws it")
    now = utcnow()
    values: dict[str, Any] = {
        "state": change.new.value,
        "rejection": change.rejection.value if change.rejection else None,
        "updated_at": now,
        **change.values,
    }
    if change.new is State.PUBLISHED:
        values.setdefault("published_at", now)
    details = dict(change.details)
    if change.expected is State.PUBLISHED or change.new is State.PUBLISHED:
        # only a published comment is featured, and one published (again) is not yet: a
        # take-down by a release before featuring existed left the flag (found in review)
        values.update(featured_at=None, featured_by=None)
    if change.expected is State.PUBLISHED and _featured(session, comment_id):
        details["was_featured"] = True
    where = [Comment.id == comment_id, Comment.state == change.expected.value]
    if change.revision is not None:
        where.append(Comment.revision == change.revision)
    if change.author_edit:
        values["revision"] = Comment.revision + 1
    if change.expected is State.REJECTED:
        # a comment its author withdrew is erased, and stays out (docs/contracts.md); it
        # is withdrawn once
        withdrawn = Rejection.WITHDRAWN.value
        where.append(or_(Comment.rejection.is_(None), Comment.rejection != withdrawn))
    result = session.execute(
        update(Comment).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    comment = session.get(Comment, comment_id, populate_existing=True)
    assert comment is not None
    session.add(
        AuditEntry(
            comment_id=comment_id,
            site_id=comment.site_id,
            actor=change.actor,
            action=change.action,
            from_state=change.expected.value,
            to_state=change.new.value,
            note=change.note,
            model_version=comment.model_version,
            details={"rejection": values["rejection"], **details},
            created_at=now,
        )
    )
    if change.label is not None:
        session.add(
            LabelRow(
                comment_id=comment_id,
                site_id=comment.site_id,
                label=change.label.value,
                source=change.label_source,
                actor=change.actor,
                created_at=now,
            )
        )
    if change.expected is State.PUBLISHED and change.new is State.REJECTED:
        reports.resolve(session, comment_id, "taken_down", change.actor)  # readers answered
    if change.author_edit:  # the new text, then the worker's decision on it
        edited = {"previous_status": change.expected.value}
        deliveries = events.record(session, "comment.edited", comment, edited)
    else:
        # held and rejected say why (the classifier's reasons, as the dashboard shows
        # them): the receiver needed a second, read-scoped call to learn it
        why = explanation(comment) if change.new in EXPLAINED else None
        deliveries = events.record(session, EVENT_FOR_STATE[change.new], comment, why)
    if not change.actor.startswith("system:") and change.actor != AUTHOR:
        deliveries += events.record(
            session,
            "comment.moderated",
            comment,
            {"action": change.action, "note": change.note, "actor": change.actor},
        )
    mails = mail_outbox.on_publish(session, comment) if change.new is State.PUBLISHED else []
    return Outcome(comment, deliveries, mails)


def _featured(session: Session, comment_id: str) -> bool:
    """Tell whether a comment is featured (a take-down's audit entry says it was)."""
    query = select(Comment.featured_at).where(Comment.id == comment_id)
    return session.scalar(query) is not None
