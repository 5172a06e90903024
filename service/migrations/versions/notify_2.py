"""mail_subscriptions: ``email_key``, the address as every other match takes it

Revision ID: notify2
Revises: hooks2
Create Date: 2026-11-28 12:00:00

Subscriptions matched addresses on ``strip().lower()`` while comments and check records
match on ``service.addresses.email_key`` (``privacy1``: lower case, then NFC). The two
differ where lower-casing leaves a letter and a combining mark that NFC composes: ``J̌`` (a
``J`` and a combining caron, which has no composed capital) lowers to ``j`` + caron, whose
NFC form is ``ǰ``. A privacy erasure of ``ǰohn@…`` then kept the subscription of
``J̌ohn@…``, and mails kept going to it (found in review). Each row gets the key of its
``email``, which stays as it was (mail goes to it; unsubscribe links hash it). Rows of one
site whose keys meet (the same reader, two spellings) become one: the reader's latest
decision stands (the later of a confirmation and an unsubscribe; a pending row only when
none was decided), the others' mails move to it and they are deleted; each deleted id is
recorded with the kept one (``mail_subscription_merges``), so an unsubscribe link mailed
for it, which never expires, still unsubscribes the reader. Then one
subscription per key and site is enforced (a unique index: no table rebuild, so the
mail outbox's rows, which cascade from their subscription, are never touched).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.addresses import KEY_LENGTH, email_key
from service.store.tables.base import UTCDateTime

revision = "notify2"
down_revision = "hooks2"
branch_labels = None
depends_on = None

INDEX = "ix_mail_subscriptions_site_email_key"
SUBS = sa.table(
    "mail_subscriptions",
    sa.column("id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("email_key", sa.String),
    sa.column("state", sa.String),
    sa.column("created_at", UTCDateTime),
    sa.column("confirmed_at", UTCDateTime),
    sa.column("unsubscribed_at", UTCDateTime),
)
OUTBOX = sa.table("mail_outbox", sa.column("subscription_id", sa.Integer))
MERGES = sa.table(
    "mail_subscription_merges",
    sa.column("merged_id", sa.Integer),
    sa.column("subscription_id", sa.Integer),
)
MERGES_INDEX = "ix_mail_subscription_merges_subscription_id"


def upgrade() -> None:
    op.add_column("mail_subscriptions", sa.Column("email_key", sa.String(KEY_LENGTH)))
    op.create_table(
        "mail_subscription_merges",
        sa.Column("merged_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["mail_subscriptions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("merged_id"),
    )
    op.create_index(MERGES_INDEX, "mail_subscription_merges", ["subscription_id"])
    bind = op.get_bind()
    rows = bind.execute(sa.select(SUBS).order_by(SUBS.c.id)).mappings().all()
    groups: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        key = email_key(row["email"])
        bind.execute(SUBS.update().where(SUBS.c.id == row["id"]).values(email_key=key))
        groups.setdefault((row["site_id"], key), []).append(row)
    for same in groups.values():
        if len(same) > 1:
            _merge(bind, same)
    op.create_index(INDEX, "mail_subscriptions", ["site_id", "email_key"], unique=True)


def _decided(row: Any) -> tuple[int, datetime]:
    """Order a reader's subscriptions by their latest decision (a pending one's last)."""
    when = {"confirmed": row["confirmed_at"], "unsubscribed": row["unsubscribed_at"]}
    decided = when.get(row["state"])
    return (1, decided) if decided is not None else (0, row["created_at"])


def _merge(bind: Any, same: list[Any]) -> None:
    """Keep the subscription of the reader's latest decision; move the others' mails to it,
    delete them and record which one each became (for their unsubscribe links)."""
    keep = max(same, key=lambda row: (*_decided(row), row["id"]))
    gone = [row["id"] for row in same if row["id"] != keep["id"]]
    bind.execute(
        OUTBOX.update().where(OUTBOX.c.subscription_id.in_(gone)).values(subscription_id=keep["id"])
    )
    bind.execute(SUBS.delete().where(SUBS.c.id.in_(gone)))
    bind.execute(MERGES.insert(), [{"merged_id": i, "subscription_id": keep["id"]} for i in gone])


def downgrade() -> None:
    op.drop_index(MERGES_INDEX, table_name="mail_subscription_merges")
    op.drop_table("mail_subscription_merges")
    op.drop_index(INDEX, table_name="mail_subscriptions")
    with op.batch_alter_table("mail_subscriptions") as batch:
        batch.drop_column("email_key")
