"""webhook endpoints: ids are never handed out twice (SQLite AUTOINCREMENT)

Revision ID: hooks2
Revises: privacy1
Create Date: 2026-11-27 22:10:00

A deleted endpoint's row goes, and SQLite without AUTOINCREMENT gives the next endpoint
the largest id left plus one: the deleted one's, so old audit entries (``endpoint_id``)
and operators' scripts (``moderato webhooks update 3``) named a new endpoint, perhaps of
another site (found in review). The table is rebuilt with AUTOINCREMENT and its counter
starts past every id the audit log names. PostgreSQL's sequences never hand out an id
twice: nothing to do there. (The other tables whose ids are shown: sites, users and API
keys are never deleted, bans have had AUTOINCREMENT since ``bans1``.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hooks2"
down_revision = "privacy1"
branch_labels = None
depends_on = None

#: The largest endpoint id the audit log has named (a deleted endpoint's row is gone).
LAST_AUDITED = sa.text(
    "SELECT MAX(CAST(json_extract(details, '$.endpoint_id') AS INTEGER)) FROM audit_log "
    "WHERE action LIKE 'webhook%'"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # The migrations' connection leaves foreign keys off: dropping the old table does not
    # cascade to the deliveries, which keep pointing at the same ids. Were they on, the
    # rebuild would delete every delivery: refuse instead.
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("hooks2 rebuilds webhook_endpoints: run it with foreign keys off")
    with op.batch_alter_table(
        "webhook_endpoints", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    last = max(
        bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM webhook_endpoints")).scalar_one(),
        bind.execute(LAST_AUDITED).scalar_one() or 0,
    )
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'webhook_endpoints'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('webhook_endpoints', :seq)"),
        {"seq": last},
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "webhook_endpoints", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'webhook_endpoints'"))
