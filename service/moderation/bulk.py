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
from service.status import State
from service.store.tables import Comment, User

BATCH = 100
DEFAULT_MAX = 5000


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
        parts = [f"{title}: {self.done} of {self.total} comment(s) done"]
        if self.conflicts:
            parts.append(f"{self.conflicts} had changed meanwhile and were left alone")
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
    items: Sequence[tuple[str, State]],
    user: User,
    actor: str,
    note: str | None,
    reported: bool = False,
) -> BulkResult:
    """Apply ``action`` to each ``(comment id, state seen)`` in batches; count what happened.
    With ``reported`` (a selection from the Reported queue) a comment whose reports were
    dismissed meanwhile is a conflict, not a take-down (found in review)."""
    result = BulkResult()
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        deliveries: list[str] = []
        mails: list[str] = []
        with db().session() as dbs:
            ids = [i for i, _ in batch]
            sites = dict(
                dbs.execute(select(Comment.id, Comment.site_id).where(Comment.id.in_(ids))).all()
            )
            allowed: dict[int, bool] = {}
            for comment_id, expected in batch:
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
                outcome = transition(dbs, comment_id, actions.change(action, expected, actor, note))
                if outcome is None:
                    result.conflicts += 1
                else:
                    result.done += 1
                    deliveries += outcome.deliveries
                    mails += outcome.mails
        enqueue_outboxes(queue(), deliveries, mails)
    return result


def parse_items(raw: object) -> list[tuple[str, State]] | None:
    """Return ``(id, state)`` pairs from JSON ``[{"id", "state"}]`` or form ``id:state`` strings."""
    if not isinstance(raw, list) or not raw:
        return None
    items: list[tuple[str, State]] = []
    for entry in raw:
        if isinstance(entry, dict):
            comment_id, state = entry.get("id"), entry.get("state")
        elif isinstance(entry, str):
            comment_id, _, state = entry.partition(":")
        else:
            return None
        if not isinstance(comment_id, str) or not isinstance(state, str):
            return None
        try:
            items.append((comment_id, State(state)))
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
