"""bans: ids are never handed out twice (SQLite AUTOINCREMENT), as the audit log names bans by id

Revision ID: bans1
Revises: idempotency1
Create Date: 2026-11-28 09:00:00

A lifted ban's row is deleted, and SQLite without AUTOINCREMENT gives the next ban the
largest id left plus one: the id of the ban just lifted, so the audit log's ``ban_id``
named two bans. The table is rebuilt with AUTOINCREMENT and its counter starts past
every id the audit log mentions. PostgreSQL's sequences never hand out an id twice, so
there is nothing to do there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "bans1"
down_revision = "idempotency1"
branch_labels = None
depends_on = None

#: The largest ban id the audit log has named (a lifted ban's row is gone).
LAST_AUDITED = sa.text(
    "SELECT MAX(CAST(json_extract(details, '$.ban_id') AS INTEGER)) FROM audit_log "
    "WHERE action IN ('ban', 'unban')"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "bans", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    last = max(
        bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM bans")).scalar_one(),
        bind.execute(LAST_AUDITED).scalar_one() or 0,
    )
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'bans'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('bans', :seq)"), {"seq": last}
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "bans", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'bans'"))
