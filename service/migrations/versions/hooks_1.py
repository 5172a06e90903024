"""webhooks: every previous secret whose overlap still runs keeps signing (a second
rotation within the overlap dropped the first secret at once)

Revision ID: hooks1
Revises: edit1
Create Date: 2026-11-27 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hooks1"
down_revision = "edit1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("older_secrets", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("older_secrets")
