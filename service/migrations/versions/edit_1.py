"""edit: authors edit and withdraw their own comments for a short time after posting

Revision ID: edit1
Revises: notify1
Create Date: 2026-11-28 16:00:00

Only adds nullable columns of ``comments`` and a revision counter with a default, so the
release before runs on the new schema (it never sets them; a comment it stores has no edit
token and cannot be edited). The token itself is never stored: only its SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "edit1"
down_revision = "notify1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("edit_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("edit_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("previous_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("revision")
        batch.drop_column("previous_text")
        batch.drop_column("edited_at")
        batch.drop_column("edit_until")
        batch.drop_column("edit_token_hash")
