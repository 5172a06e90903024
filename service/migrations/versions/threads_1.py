"""threads: close a thread to new comments, or give it a moderation mode of its own

Revision ID: threads1
Revises: reports1
Create Date: 2026-11-27 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "threads1"
down_revision = "reports1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "key"),
    )
    with op.batch_alter_table("sites") as batch:
        batch.add_column(
            sa.Column("thread_rows", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("thread_rows")
    op.drop_table("threads")
