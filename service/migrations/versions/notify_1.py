"""notify: reply notifications by e-mail (opt-in per comment, subscriptions, mail outbox)

Revision ID: notify1
Revises: featured1
Create Date: 2026-11-28 09:00:00

Only adds: two tables and two columns of ``comments`` with defaults, so the release
before runs on the new schema (it never sets the columns, and never reads the tables).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notify1"
down_revision = "featured1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_message_id", sa.String(length=40), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "email"),
        sqlite_autoincrement=True,  # erased rows' ids are never handed out again
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("comment_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscription_id"], ["mail_subscriptions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "comment_id"),
    )
    op.create_index("ix_mail_outbox_status_next", "mail_outbox", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_mail_outbox_subscription_id"), "mail_outbox", ["subscription_id"])
    with op.batch_alter_table("comments") as batch:
        batch.add_column(
            sa.Column("notify_replies", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("lang", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("lang")
        batch.drop_column("notify_replies")
    op.drop_index(op.f("ix_mail_outbox_subscription_id"), table_name="mail_outbox")
    op.drop_index("ix_mail_outbox_status_next", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("mail_subscriptions")
