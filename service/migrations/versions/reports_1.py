"""reports: readers report published comments; the dashboard's Reported queue

Revision ID: reports1
Revises: sessions1
Create Date: 2026-11-27 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reports1"
down_revision = "sessions1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.String(length=40), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "ip_hash"),
    )
    with op.batch_alter_table("reports") as batch:
        batch.create_index(batch.f("ix_reports_comment_id"), ["comment_id"], unique=False)
        batch.create_index(batch.f("ix_reports_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_index(batch.f("ix_reports_site_id"))
        batch.drop_index(batch.f("ix_reports_comment_id"))
    op.drop_table("reports")
