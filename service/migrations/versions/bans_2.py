"""bans: one ban on every site per kind and value (a unique index where site_id is NULL)

Revision ID: bans2
Revises: keys1
Create Date: 2026-11-27 12:30:00

The table's UNIQUE (site_id, kind, value) never holds for bans on every site: NULLs are
distinct to a unique constraint in SQLite and PostgreSQL, so two moderators banning the
same address at once made two rows, and lifting one left the other rejecting comments
(found in review). Duplicates already made are folded into the oldest, then a partial
unique index keeps it so.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "bans2"
down_revision = "keys1"
branch_labels = None
depends_on = None

INDEX = "uq_bans_every_site"


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM bans WHERE site_id IS NULL AND id NOT IN "
            "(SELECT MIN(id) FROM bans WHERE site_id IS NULL GROUP BY kind, value)"
        )
    )
    op.create_index(
        INDEX,
        "bans",
        ["kind", "value"],
        unique=True,
        sqlite_where=sa.text("site_id IS NULL"),
        postgresql_where=sa.text("site_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="bans")
