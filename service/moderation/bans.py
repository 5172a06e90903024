"""Bans: what may be banned, in the form the worker matches, and storing one.

Kinds and values are the ones ``worker/rules.py::ban_hits`` matches: ``email``
(the address's ``service.addresses.email_key``: trimmed, lower case, NFC, its domain in
Unicode, so a ban on ``J̌ohn@…`` catches ``ǰohn@…`` and one on ``ada@xn--bcher-kva.example``
catches ``ada@bücher.example``), ``ip`` (the keyed IP hash stored with the comment),
``domain`` (a host keyed so, without ``www.``, matching the e-mail's domain or the
author's website), at most ``MAX_VALUE`` characters as keyed. A ban applies to one site,
or to every site (``site_id`` NULL, admins only). Later submissions that match are
rejected by the worker with reason ``banned``; comments already stored are not touched.

The dashboard's pages (ban from a card or by hand, the list, lifting) are in
``bans_views``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.addresses import ascii_domain, domain_key, email_key, host_key
from service.clock import utcnow
from service.store.tables import AuditEntry, Ban, Comment
from service.validation import has_controls

KINDS = ("email", "ip", "domain")
TARGETS = ("email", "ip", "email_domain", "url_domain")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
#: A whole stored IP hash (``security.ip_hash``): a shorter one would match nothing (a card
#: showed 12 digits, and a ban on them silently never hit; found in review).
IP_HASH = re.compile(r"^[0-9a-f]{32}$")
#: The longest value a ban keeps (its column): a key may be longer than what was typed
#: (``İ`` lower-cased is ``i`` and a combining dot), and PostgreSQL refused the longer one
#: with a 500 (SQLite kept it).
MAX_VALUE = 254


#: Mail providers shared by millions of readers: a domain ban on one would reject every
#: later comment from all of them (one click on a card offered it; found in review).
WEBMAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "qq.com",
        "163.com",
        "126.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wanadoo.fr",
        "t-online.de",
        "libero.it",
        "naver.com",
        "zoho.com",
        "fastmail.com",
        "tutanota.com",
    ]
)


def target_value(comment: Comment, target: str) -> tuple[str, str] | None:
    """Return the ``(kind, value)`` a card's ban target names, or None if the comment lacks it."""
    if target == "email":
        return "email", email_key(comment.author_email)
    if target == "ip":
        return ("ip", comment.ip_hash) if comment.ip_hash else None
    if target == "email_domain":
        return "domain", domain_key(comment.author_email)
    if target == "url_domain" and comment.author_url:
        host = host_key(urlsplit(comment.author_url).hostname)
        return ("domain", host) if host else None
    return None


def normalise(kind: str, raw: str) -> str | None:
    """Return a hand-typed ban value in the form the worker matches, or None if invalid
    (control and direction characters included: they went raw into the Bans page, the
    audit log and its CSV; found in review)."""
    value = raw.strip().lower() if kind == "ip" else email_key(raw)
    if has_controls(value, bidi=True):
        return None
    if kind == "email":
        return value if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else None
    if kind == "ip":
        return value if IP_HASH.match(value) else None
    value = value.removeprefix("@").removeprefix("www.")
    ascii_value = ascii_domain(value)  # kept in Unicode, checked as DNS has it
    return value if ascii_value is not None and DOMAIN.match(ascii_value) else None


def existing(dbs: Session, site_id: int | None, kind: str, value: str) -> Ban | None:
    """Return the ban with this scope, kind and value, if any."""
    scope = Ban.site_id.is_(None) if site_id is None else Ban.site_id == site_id
    return dbs.scalars(select(Ban).where(scope, Ban.kind == kind, Ban.value == value)).first()


def ban_value(
    dbs: Session,
    site_id: int | None,
    kind: str,
    value: str,
    *,
    note: str | None,
    actor: str,
    comment: Comment | None = None,
) -> tuple[Ban, bool]:
    """Ban ``kind`` ``value`` on a site (None: every site) unless it already is; return the
    ban and whether this call made it (then with its audit entry)."""
    row = existing(dbs, site_id, kind, value)
    created = False
    if row is None:
        # Two moderators banning one spammer at once: one ban, never a 500 (found in
        # review); the unique index on every-site bans makes that hold for them too.
        insert = pg_insert if dbs.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(Ban).values(
            site_id=site_id, kind=kind, value=value, note=note,
            created_by=actor, created_at=utcnow(),
        ).on_conflict_do_nothing()  # fmt: skip
        created = bool(dbs.execute(statement).rowcount)  # type: ignore[attr-defined]
        row = existing(dbs, site_id, kind, value)
        assert row is not None
    if created:
        dbs.add(
            AuditEntry(
                comment_id=comment.id if comment else None,
                site_id=site_id,
                actor=actor,
                action="ban",
                note=note,
                details={
                    "ban_id": row.id,
                    "kind": kind,
                    "value": value,
                    "all_sites": site_id is None,
                },
                created_at=utcnow(),
            )
        )
    return row, created
