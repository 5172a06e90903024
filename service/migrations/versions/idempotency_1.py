"""idempotency keys: a site server's retry of a comment gets the first answer

Revision ID: idempotency1
Revises: threads1
Create Date: 2026-11-27 08:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "idempotency1"
down_revision = "threads1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("comment_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "key"),
    )
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.create_index(batch.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_index(batch.f("ix_idempotency_keys_created_at"))
    op.drop_table("idempotency_keys")
