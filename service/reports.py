"""Readers' reports: "a moderator should look at this published comment".

A report never changes a comment's state (the lifecycle has no way from published to
held, and a handful of readers must not be able to hide a comment). It puts the comment
in the dashboard's Reported queue until a moderator takes it down (the take-down resolves
its reports, in ``service.lifecycle``) or keeps it (``dismiss``). One report per comment
and reader (by IP hash) counts; a repeat is accepted and changes nothing, so a reader is
not told what others did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.store.tables import AuditEntry, Comment, Report

#: Why a reader reports a comment (the widget's choices, the API's enum).
REASONS = ("spam", "abusive", "off_topic", "other")
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class Summary:
    """A comment's open reports, as a card shows them."""

    count: int
    reasons: list[tuple[str, int]]  # most frequent first
    notes: list[str]  # newest first, at most three
    newest: int  # the newest report's id: "Keep" closes the reports up to it


def add(session: Session, comment: Comment, reason: str, note: str | None, ip: str | None) -> bool:
    """Record a report; return False when this reader had already reported the comment."""
    values = {
        "comment_id": comment.id,
        "site_id": comment.site_id,
        "reason": reason,
        "note": note,
        "ip_hash": ip,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Report).values(**values).on_conflict_do_nothing()
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def open_count(session: Session, comment_id: str) -> int:
    """Return how many of a comment's reports no moderator has answered yet."""
    query = select(func.count()).where(
        Report.comment_id == comment_id, Report.resolved_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def resolve(
    session: Session, comment_id: str, resolution: str, actor: str, up_to: int | None = None
) -> int:
    """Close a comment's open reports (``taken_down`` or ``kept``), those up to the id
    ``up_to`` if given; return how many."""
    where = [Report.comment_id == comment_id, Report.resolved_at.is_(None)]
    if up_to is not None:
        where.append(Report.id <= up_to)
    result = session.execute(
        update(Report)
        .where(*where)
        .values(resolved_at=utcnow(), resolution=resolution, resolved_by=actor)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def dismiss(
    session: Session, comment: Comment, actor: str, note: str | None, up_to: int | None = None
) -> int:
    """Keep a reported comment published: close its reports (those the moderator saw, up
    to ``up_to``: a report made while the card was open stays open; found in review), with
    an audit entry."""
    closed = resolve(session, comment.id, "kept", actor, up_to)
    if closed:
        session.add(
            AuditEntry.unchanged(comment, actor, "reports_dismissed", note, {"reports": closed})
        )
    return closed


def open_summaries(session: Session, comment_ids: list[str]) -> dict[str, Summary]:
    """Return the open reports of each of ``comment_ids`` that has any."""
    if not comment_ids:
        return {}
    rows = session.execute(
        select(Report.id, Report.comment_id, Report.reason, Report.note)
        .where(Report.comment_id.in_(comment_ids), Report.resolved_at.is_(None))
        .order_by(Report.created_at.desc(), Report.id.desc())
    ).all()
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.comment_id, []).append(row)
    return {
        cid: Summary(
            count=len(found),
            reasons=Counter(r.reason for r in found).most_common(),
            notes=[r.note for r in found if r.note][:3],
            newest=max(r.id for r in found),
        )
        for cid, found in grouped.items()
    }
