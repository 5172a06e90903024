"""comments: indexes for a thread's conversations and for known authors

Revision ID: comments1
Revises: bans2
Create Date: 2026-11-27 13:40:00

Thread pages by conversation (``service.conversations``) follow replies down from their
roots, ``parent_id = ?`` at each step; without an index each step read the thread. The
policy's ``new_authors: hold`` asks whether an address (its avatar hash: the trimmed,
lower-cased address's SHA-256) has a published comment on the site.
"""

from __future__ import annotations

from alembic import op

revision = "comments1"
down_revision = "bans2"
branch_labels = None
depends_on = None

INDEX = "ix_comments_parent"
AUTHORS = "ix_comments_site_avatar"


def upgrade() -> None:
    op.create_index(INDEX, "comments", ["parent_id", "state"])
    op.create_index(AUTHORS, "comments", ["site_id", "avatar", "state"])


def downgrade() -> None:
    op.drop_index(AUTHORS, table_name="comments")
    op.drop_index(INDEX, table_name="comments")
