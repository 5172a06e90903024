"""sessions: users.session_epoch, bumped at logout so a copied session cookie stops working

Revision ID: sessions1
Revises: integrations1
Create Date: 2026-11-27 05:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions1"
down_revision = "integrations1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
