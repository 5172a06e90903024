"""Delete what has outlived its time: expired check records, day-old idempotency keys."""

from __future__ import annotations

from sqlalchemy import delete

from service import idempotency
from service.clock import utcnow
from service.store import Database
from service.store.tables_integrations import Check


def purge_checks(db: Database) -> int:
    """Delete the Akismet-compatible check records whose time is up, and idempotency keys
    past their day; return how many check records."""
    with db.session() as session:
        result = session.execute(
            delete(Check).where(Check.expires_at.is_not(None), Check.expires_at < utcnow())
        )
        idempotency.purge(session)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
