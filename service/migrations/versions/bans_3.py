"""bans: addresses and domains kept as ``service.addresses`` keys them

Revision ID: bans3
Revises: notify2
Create Date: 2026-11-28 03:40:00

Bans on an address kept it as ``strip().lower()`` made it, and the worker compared the
comment's address lower-cased so, while every other match of an address (privacy
requests, subscriptions) takes its ``email_key`` (lower case, then NFC). The two differ
where lower-casing leaves a letter and a combining mark that NFC composes (``J̌ohn@…``
banned from a card was kept as ``j`` + caron, and ``ǰohn@…`` went through), and a ban typed
by hand was never composed at all (``Zoe`` + a combining diaeresis never caught
``Zoë@…``). Bans on a domain are keyed the same way. Each email or domain ban gets the
key of its value; bans of one scope whose keys meet (the same address banned in two
spellings) are folded into the oldest, as ``bans2`` folded duplicates: the unique
constraints hold on the keys, and the audit log's entries of the folded bans stay as
they were. Nothing is undone on downgrade: the keys are values the older code could
have stored itself, and it still matches most of them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from service.addresses import email_key

revision = "bans3"
down_revision = "notify2"
branch_labels = None
depends_on = None

BANS = sa.table(
    "bans",
    sa.column("id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
)
KEYED = ("email", "domain")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(BANS).where(BANS.c.kind.in_(KEYED)).order_by(BANS.c.id)
    ).mappings()
    kept: dict[tuple[Any, str, str], int] = {}
    folded: list[int] = []
    changed: list[dict[str, Any]] = []
    for row in rows.all():
        key = email_key(row["value"])
        scope = (row["site_id"], row["kind"], key)
        if scope in kept:
            folded.append(row["id"])
            continue
        kept[scope] = row["id"]
        if key != row["value"]:
            changed.append({"ban_id": row["id"], "value": key})
    if folded:  # first, so that no key meets a row that is still there
        bind.execute(BANS.delete().where(BANS.c.id.in_(folded)))
    if changed:
        bind.execute(BANS.update().where(BANS.c.id == sa.bindparam("ban_id")), changed)


def downgrade() -> None:
    pass
