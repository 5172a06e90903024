"""Featured comments (editors' picks): a moderator's flag on a published comment.

Featuring is not a change of state (the lifecycle's states are fixed): the flag is the
comment's ``featured_at`` (and ``featured_by``), set by a conditional update that holds
only while the comment is published, so a comment taken down meanwhile is a conflict and
is never left featured. Leaving ``published`` clears the flag (``lifecycle.transition``):
a comment published again is not featured until a moderator features it again, and a
privacy erasure, which takes the comment down, removes the flag with the text.

A change writes its audit entry (``feature`` / ``unfeature``, by the actor, with the note)
and its ``comment.featured`` webhook rows in the same transaction. Featuring a comment
already featured (or unfeaturing one that is not) changes and writes nothing: two
moderators who both feature a comment agree, and a stale key press cannot toggle a
colleague's choice back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from service import events
from service.clock import utcnow
from service.status import State
from service.store.tables import AuditEntry, Comment

FEATURE = "feature"
UNFEATURE = "unfeature"
ACTIONS = (FEATURE, UNFEATURE)
EVENT = "comment.featured"


@dataclass(slots=True)
class Featuring:
    """What a feature or unfeature request did: the comment as it is now, whether the flag
    changed, and the outbox rows to deliver."""

    comment: Comment
    changed: bool
    deliveries: list[str]

    @property
    def featured(self) -> bool:
        """Tell whether the comment is featured now."""
        return self.comment.featured_at is not None


def set_featured(
    session: Session,
    comment_id: str,
    action: str,
    actor: str,
    note: str | None = None,
    *,
    revision: int | None = None,
) -> Featuring | None:
    """Feature (``action="feature"``) or unfeature a published comment; return None when
    the comment is not published (gone, or taken down meanwhile: a conflict), or, given
    ``revision``, when its text is another revision by now (edited and published again)."""
    if action not in ACTIONS:
        raise ValueError(f"not a featuring action: {action!r}")
    feature = action == FEATURE
    now = utcnow()
    flag = Comment.featured_at.is_(None) if feature else Comment.featured_at.is_not(None)
    where = [Comment.id == comment_id, Comment.state == State.PUBLISHED.value, flag]
    if revision is not None:
        where.append(Comment.revision == revision)
    result = session.execute(
        update(Comment)
        .where(*where)
        .values(
            featured_at=now if feature else None,
            featured_by=actor if feature else None,
            updated_at=now,  # a filter-wide run reviewed before this leaves the comment alone
        )
        .execution_options(synchronize_session=False)
    )
    comment = session.get(Comment, comment_id, populate_existing=True)
    if comment is None or comment.state != State.PUBLISHED.value:
        return None
    if revision is not None and comment.revision != revision:
        return None
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return Featuring(comment, False, [])  # already as asked
    session.add(AuditEntry.unchanged(comment, actor, action, note or None))
    deliveries = events.record(
        session, EVENT, comment, {"action": action, "note": note or None, "actor": actor}
    )
    return Featuring(comment, True, deliveries)
