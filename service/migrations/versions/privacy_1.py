"""comments, checks: ``email_key``, the address as privacy requests match it

Revision ID: privacy1
Revises: hooks1
Create Date: 2026-11-27 22:00:00

An export or an erasure matched addresses with SQL's ``lower()``, which SQLite applies to
ASCII letters only, and a LIKE pattern built from Python's ``lower()``: ``İnci@…`` (whose
lower case is longer) or a Kelvin sign (whose lower case is ASCII ``k``) were never found,
and the erasure answered ``complete: true`` (found in review). The key is computed in
Python (``service.addresses.email_key``), so the match is an indexed equality on both
databases; rows stored before are keyed here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.addresses import KEY_LENGTH, email_key

revision = "privacy1"
down_revision = "hooks1"
branch_labels = None
depends_on = None

TABLES = ("comments", "checks")
BATCH = 1000


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("email_key", sa.String(KEY_LENGTH), nullable=True))
            batch.create_index(f"ix_{table}_email_key", ["email_key"], unique=False)
        _backfill(table)


def _backfill(table: str) -> None:
    """Key every row that has an address, a batch at a time."""
    bind = op.get_bind()
    rows = sa.table(
        table, sa.column("id", sa.String), sa.column("author_email"), sa.column("email_key")
    )
    last = ""
    while True:
        batch = bind.execute(
            sa.select(rows.c.id, rows.c.author_email)
            .where(rows.c.id > last)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        bind.execute(
            rows.update().where(rows.c.id == sa.bindparam("row_id")),
            [{"row_id": i, "email_key": None if e is None else email_key(e)} for i, e in batch],
        )
        last = batch[-1][0]


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_email_key")
            batch.drop_column("email_key")
