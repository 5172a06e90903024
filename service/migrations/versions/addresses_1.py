"""comments, checks, subscriptions, bans: addresses keyed with their domain in one form

Revision ID: addresses1
Revises: outbox1
Create Date: 2026-12-01 10:00:00

``service.addresses.email_key`` (lower case, then NFC) kept a domain as it was written, and
an internationalised domain has two spellings: ``bücher.example`` and its IDNA ASCII form
``xn--bcher-kva.example``. The comment form stores the first (email-validator decodes the
second), while a ban typed by hand, an Akismet-compatible check and a privacy request keep
what they were given: a ban on ``ada@xn--bcher-kva.example`` let ``ada@bücher.example``
through, an erasure typed so found none of her comments, and the erasure of
``ada@bücher.example`` kept her check records (found in review). The key now writes the
domain as email-validator does (UTS #46 mapping, each ``xn--`` label in Unicode).

Each comment's, check record's and subscription's ``email_key`` is computed again from its
address; subscriptions of one site whose keys now meet are merged as ``notify2`` merged
them (the reader's latest decision stands, the others' mails move to it, the merged ids
are recorded for their unsubscribe links); each email or domain ban gets the key of its
value, and bans of one scope whose keys meet are folded into the oldest, as ``bans3``
folded them. A downgrade keys the rows as the older code did (merged and folded rows stay
merged and folded).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.addresses import KEY_LENGTH, email_key
from service.store.tables.base import UTCDateTime

revision = "addresses1"
down_revision = "outbox1"
branch_labels = None
depends_on = None

BATCH = 1000
#: The tables whose rows keep an ``author_email`` and its key.
TABLES = ("comments", "checks")
#: The longest ban value (its column): a key that would not fit leaves the value as it was.
BAN_VALUE = 254
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
BANS = sa.table(
    "bans",
    sa.column("id", sa.Integer),
    sa.column("site_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
)

Key = Callable[[str | None], str]


def older_key(address: str | None) -> str:
    """Return the key as ``privacy1`` to ``outbox1`` computed it (lower case, then NFC)."""
    stored = unicodedata.normalize("NFC", (address or "").strip())
    return unicodedata.normalize("NFC", stored.lower())[:KEY_LENGTH]


def upgrade() -> None:
    for table in TABLES:
        _rekey(table, email_key)
    _rekey_subscriptions(email_key)
    _rekey_bans()


def downgrade() -> None:
    for table in TABLES:
        _rekey(table, older_key)
    _rekey_subscriptions(older_key)


def _rekey(table: str, key: Key) -> None:
    """Key again every row of ``table`` that has an address, a batch at a time; write only
    the keys that change."""
    bind = op.get_bind()
    rows = sa.table(
        table, sa.column("id", sa.String), sa.column("author_email"), sa.column("email_key")
    )
    last = ""
    while True:
        batch = bind.execute(
            sa.select(rows.c.id, rows.c.author_email, rows.c.email_key)
            .where(rows.c.id > last)
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        keys = [(i, key(address), old) for i, address, old in batch if address is not None]
        changed = [{"row_id": i, "email_key": new} for i, new, old in keys if new != old]
        if changed:
            bind.execute(rows.update().where(rows.c.id == sa.bindparam("row_id")), changed)
        last = batch[-1][0]


def _rekey_subscriptions(key: Key) -> None:
    """Key every subscription again; merge those of one site whose keys now meet first, so
    that no key meets a row that is still there (one per key and site: a unique index)."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(SUBS).order_by(SUBS.c.id)).mappings().all()
    groups: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        groups.setdefault((row["site_id"], key(row["email"])), []).append(row)
    changed = []
    for (_site, new), same in groups.items():
        kept = _merge(bind, same) if len(same) > 1 else same[0]
        if kept["email_key"] != new:
            changed.append({"sub_id": kept["id"], "email_key": new})
    if changed:
        bind.execute(SUBS.update().where(SUBS.c.id == sa.bindparam("sub_id")), changed)


def _decided(row: Any) -> tuple[int, datetime]:
    """Order a reader's subscriptions by their latest decision (a pending one's last)."""
    when = {"confirmed": row["confirmed_at"], "unsubscribed": row["unsubscribed_at"]}
    decided = when.get(row["state"])
    return (1, decided) if decided is not None else (0, row["created_at"])


def _merge(bind: Any, same: list[Any]) -> Any:
    """Keep the subscription of the reader's latest decision; move the others' mails to it,
    delete them and record which one each became (for their unsubscribe links, and those
    merged into them before); return the kept one."""
    keep = max(same, key=lambda row: (*_decided(row), row["id"]))
    gone = [row["id"] for row in same if row["id"] != keep["id"]]
    bind.execute(
        OUTBOX.update().where(OUTBOX.c.subscription_id.in_(gone)).values(subscription_id=keep["id"])
    )
    bind.execute(
        MERGES.update().where(MERGES.c.subscription_id.in_(gone)).values(subscription_id=keep["id"])
    )
    bind.execute(SUBS.delete().where(SUBS.c.id.in_(gone)))
    bind.execute(MERGES.insert(), [{"merged_id": i, "subscription_id": keep["id"]} for i in gone])
    return keep


def _rekey_bans() -> None:
    """Key every email and domain ban's value again; fold the bans of one scope whose keys
    meet into the oldest (their audit entries stay as they were)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(BANS).where(BANS.c.kind.in_(("email", "domain"))).order_by(BANS.c.id)
    ).mappings()
    kept: dict[tuple[Any, str, str], int] = {}
    folded: list[int] = []
    changed: list[dict[str, Any]] = []
    for row in rows.all():
        key = email_key(row["value"])
        if len(key) > BAN_VALUE:  # a domain UTS #46 lengthens (a ligature): as it matched
            key = row["value"]
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
