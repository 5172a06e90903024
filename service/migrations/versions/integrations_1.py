"""integrations: checks (Akismet/Perspective-compatible scoring) and labels.check_id

Revision ID: integrations1
Revises: 0001
Create Date: 2026-11-26 02:39:20.079568
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("author_email", sa.String(length=254), nullable=True),
        sa.Column("author_url", sa.String(length=2048), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("permalink", sa.String(length=2048), nullable=True),
        sa.Column("comment_type", sa.String(length=40), nullable=True),
        sa.Column("spam", sa.Float(), nullable=False),
        sa.Column("toxicity", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index("ix_checks_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_checks_site_fingerprint", ["site_id", "fingerprint"], unique=False
        )

    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_labels_check_id"), ["check_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labels_check_id"))
        batch_op.drop_column("check_id")

    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_site_fingerprint")
        batch_op.drop_index("ix_checks_expires_at")

    op.drop_table("checks")
