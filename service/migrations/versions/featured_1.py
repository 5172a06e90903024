"""featured comments: moderators feature a published comment (editors' picks), apart from its state

Revision ID: featured1
Revises: feeds1
Create Date: 2026-11-27 14:00:00

Two nullable columns: when and by whom a comment was featured (NULL: not featured), and a
partial index over the featured rows only, so that a thread's ``featured=1`` listing and
its ``featured_total`` read a handful of index entries, not every published comment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "featured1"
down_revision = "feeds1"
branch_labels = None
depends_on = None

INDEX = "ix_comments_featured"


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("featured_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("featured_by", sa.String(length=200), nullable=True))
    op.create_index(
        INDEX,
        "comments",
        ["site_id", "thread", "created_at"],
        sqlite_where=sa.text("featured_at IS NOT NULL"),
        postgresql_where=sa.text("featured_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("featured_by")
        batch.drop_column("featured_at")
