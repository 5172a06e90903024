"""The outboxes' shared move: change a still-pending row (a webhook delivery, a mail) in one
conditional UPDATE, and the lease an attempt takes that way."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update

from service.store import Database


def update_pending(db: Database, model: Any, row_id: str, condition: Any, **values: Any) -> bool:
    """Change the still-pending row ``row_id`` of ``model`` when ``condition`` holds, in one
    conditional UPDATE; tell whether it did."""
    with db.session() as session:
        result = session.execute(
            update(model)
            .where(model.id == row_id, model.status == "pending", condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def claim(db: Database, model: Any, row_id: str, now: datetime, lease: timedelta) -> bool:
    """Take a pending, due row for one attempt (a lease until ``now + lease``, so two jobs
    for one row never both send it); False if it is not ours to send now."""
    due = or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now)
    return update_pending(db, model, row_id, due, next_attempt_at=now + lease)
