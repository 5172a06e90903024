"""Bulk actions: on a selection of cards, or on every comment matching a queue's filter.

Comments are taken in batches of ``BATCH``, one transaction per batch, each
through ``transition()`` with the state the moderator saw; a comment that
changed meanwhile is counted as a conflict, never acted on twice, and never
stops the rest. A filter-wide action covers only comments created up to the
moment the moderator confirmed its count (``as_of``), at most
``MODERATION_BULK_MAX`` (default 5000) per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from service import reports
from service.auth import user_can_moderate
from service.enqueue import enqueue_outboxes
from service.extensions import db, queue
from service.lifecycle import transition
from service.moderation import actions
from service.moderation.actions import Action
from service.plural import counted
from service.status import State
from service.store.tables import Comment, User
from service.validation import whole_number

BATCH = 100
DEFAULT_MAX = 5000

#: A comment to act on: its id, the state and the text revision its card showed (None: any).
Item = tuple[str, State, int | None]


@dataclass(slots=True)
class BulkResult:
    """How a bulk action went, comment by comment."""

    done: int = 0
    conflicts: int = 0
    not_found: int = 0
    not_allowed: int = 0

    @property
    def total(self) -> int:
        """Return how many comments were asked for."""
        return self.done + self.conflicts + self.not_found + self.not_allowed

    def as_dict(self) -> dict[str, int]:
        """Return the counts for a JSON answer."""
        return {
            "total": self.total,
            "done": self.done,
            "conflicts": self.conflicts,
            "not_found": self.not_found,
            "not_allowed": self.not_allowed,
        }

    def sentence(self, title: str) -> str:
        """Return the result in words, for the action called ``title``."""
        parts = [f"{title}: {self.done} of {counted(self.total, 'comment')} done"]
        if self.conflicts:
            verb = "was" if self.conflicts == 1 else "were"
            parts.append(f"{self.conflicts} had changed meanwhile and {verb} left alone")
        if self.not_found:
            parts.append(f"{self.not_found} not found")
        if self.not_allowed:
            parts.append(f"{self.not_allowed} not in a state this action applies to")
        return "; ".join(parts) + "."


def bulk_max() -> int:
    """Return the most comments one filter-wide action covers."""
    return int(current_app.config.get("MODERATION_BULK_MAX", DEFAULT_MAX))


def apply(
    action: Action,
    items: Sequence[Item],
    user: User,
    actor: str,
    note: str | None,
    reported: bool = False,
) -> BulkResult:
    """Apply ``action`` to each ``(comment id, state seen, text revision seen)`` in batches;
    count what happened. A revision (None: whichever is current) makes a comment its author
    edited since its card was drawn a conflict: its author may have swapped the text, and
    the worker held the new one again, in the state the moderator saw (found in review).
    With ``reported`` (a selection from the Reported queue) a comment whose reports were
    dismissed meanwhile is a conflict, not a take-down (found in review)."""
    result = BulkResult()
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        deliveries: list[str] = []
        mails: list[str] = []
        with db().session() as dbs:
            ids = [i for i, _, _ in batch]
            sites = dict(
                dbs.execute(select(Comment.id, Comment.site_id).where(Comment.id.in_(ids))).all()
            )
            allowed: dict[int, bool] = {}
            for comment_id, expected, revision in batch:
                site_id = sites.get(comment_id)
                if site_id is not None and site_id not in allowed:
                    allowed[site_id] = user_can_moderate(dbs, user, site_id)
                if site_id is None or not allowed[site_id]:
                    result.not_found += 1
                    continue
                if expected not in action.allowed_from:
                    result.not_allowed += 1
                    continue
                if reported and reports.open_count(dbs, comment_id) == 0:
                    result.conflicts += 1
                    continue
                change = actions.change(action, expected, actor, note)
                change.revision = revision
                outcome = transition(dbs, comment_id, change)
                if outcome is None:
                    result.conflicts += 1
                else:
                    result.done += 1
                    deliveries += outcome.deliveries
                    mails += outcome.mails
        enqueue_outboxes(queue(), deliveries, mails)
    return result


def parse_items(raw: object) -> list[Item] | None:
    """Return ``(id, state, revision)`` from JSON ``[{"id", "state", "revision"}]`` or form
    ``id:state:revision`` strings (the revision is optional: None)."""
    if not isinstance(raw, list) or not raw:
        return None
    items: list[Item] = []
    for entry in raw:
        if isinstance(entry, dict):
            comment_id, state, seen = entry.get("id"), entry.get("state"), entry.get("revision")
        elif isinstance(entry, str):
            comment_id, _, rest = entry.partition(":")
            state, _, seen = rest.partition(":")
        else:
            return None
        if not isinstance(comment_id, str) or not isinstance(state, str):
            return None
        revision = None if seen in (None, "") else whole_number(str(seen))
        if seen not in (None, "") and revision is None:
            return None
        try:
            items.append((comment_id, State(state), revision))
        except ValueError:
            return None
    return items


def parse_as_of(raw: str | None) -> datetime | None:
    """Return the confirmation moment of a filter-wide action, or None if malformed."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None
