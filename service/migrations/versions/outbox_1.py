"""outboxes: count the crashes of a delivery's (or a mail's) job

Revision ID: outbox1
Revises: bans3
Create Date: 2026-11-30 09:00:00

A job that raised every time (a bug in reading a receiver's answer, a corrupt row) died
before it recorded its attempt, and the sweep queued the still-pending row again every
couple of minutes, for ever: the same ``webhook-id`` went out again and again with
``attempts`` at 0. The sweep now counts each re-queue of a job that failed or vanished
mid-run in ``crashes`` and fails the row at ``OUTBOX_MAX_CRASHES``, as
``comments.attempts`` caps a classification. Existing rows start at 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox1"
down_revision = "bans3"
branch_labels = None
depends_on = None

TABLES = ("webhook_deliveries", "mail_outbox")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("crashes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("crashes")
