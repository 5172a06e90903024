"""feeds: an index for a site's latest published comments (its Atom feed)

Revision ID: feeds1
Revises: comments1
Create Date: 2026-11-28 09:00:00

``GET /feed/site.atom`` reads a site's newest published comments across threads. The
thread index starts with (site_id, thread), and (state, created_at) holds every
site's comments, so without this index the query sorted or filtered a whole site.
"""

from __future__ import annotations

from alembic import op

revision = "feeds1"
down_revision = "comments1"
branch_labels = None
depends_on = None

INDEX = "ix_comments_site_published"


def upgrade() -> None:
    op.create_index(INDEX, "comments", ["site_id", "state", "created_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="comments")
