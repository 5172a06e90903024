"""comments: an index on parent_id, for a thread's conversations

Revision ID: comments1
Revises: bans2
Create Date: 2026-11-27 13:40:00

Thread pages by conversation (``service.conversations``) follow replies down from their
roots, ``parent_id = ?`` at each step; without an index each step read the thread.
"""

from __future__ import annotations

from alembic import op

revision = "comments1"
down_revision = "bans2"
branch_labels = None
depends_on = None

INDEX = "ix_comments_parent"


def upgrade() -> None:
    op.create_index(INDEX, "comments", ["parent_id", "state"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="comments")
