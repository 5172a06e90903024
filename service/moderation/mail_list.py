"""What the Mail page lists: the mail outbox, newest first, by status and site, in keyset pages.

No Flask here: the filter is parsed from a mapping, the page read from a session. The
recipient of a mail is its subscription's address, which the page shows masked
(``a…@example.org``: the domain is what tells a relay's trouble apart), and addresses
in an SMTP server's error text are masked the same way. Pages are keyset pages by
``(created_at, id)``, as the queues': ``older=`` continues after the last row shown,
``newer=`` ends before the first, so mails written while an admin reads never shift one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from service.moderation.filters import Cursor
from service.store.tables import Comment, Site, UTCDateTime
from service.store.tables_notify import MailMessage, MailSubscription

#: The statuses of an outbox row, in the order of the page's tabs.
STATUSES = ("pending", "sent", "failed", "cancelled")
KINDS = {"confirm": "Confirmation", "reply": "Reply notification"}
_ADDRESS = re.compile(r"[^\s<>()\[\]@,;:\"']+@[^\s<>()\[\]@,;:\"']+")

FieldErrors = dict[str, dict[str, str]]


def mask(address: str | None) -> str:
    """Return an address with its local part hidden but its first character: a…@example.org."""
    local, at, domain = (address or "").partition("@")
    return f"{local[:1]}…{at}{domain}" if local or domain else ""


def mask_all(text: str | None) -> str:
    """Return ``text`` with every e-mail address in it masked (an SMTP error quoting one)."""
    return _ADDRESS.sub(lambda m: mask(m.group(0)), text or "")


@dataclass(frozen=True, slots=True)
class MailFilter:
    """Which mails to show: a status, a site (slug), and a place in the list."""

    status: str | None = None
    site: str | None = None
    older: Cursor | None = None
    newer: Cursor | None = None

    def args(self, **changes: Any) -> dict[str, str]:
        """Return the query arguments reproducing this filter (``changes`` replace some)."""
        values: dict[str, Any] = {
            "status": self.status,
            "site": self.site,
            "older": self.older.encode() if self.older else None,
            "newer": self.newer.encode() if self.newer else None,
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v}


def parse(args: Mapping[str, str]) -> tuple[MailFilter, FieldErrors]:
    """Return the filter in ``args`` and every field error (an unknown status, a mangled
    page link); a site slug is checked against the database by ``site_id``."""
    errors: FieldErrors = {}
    values: dict[str, Any] = {}
    status = (args.get("status") or "").strip()
    if status in STATUSES:
        values["status"] = status
    elif status:
        errors["status"] = {"code": "invalid_status", "message": "Choose a status from the list."}
    site = (args.get("site") or "").strip()
    if len(site) > 64:
        errors["site"] = {"code": "unknown_site", "message": "Choose a site from the list."}
    elif site:
        values["site"] = site
    for name in ("older", "newer"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[name] = Cursor.decode(raw, "newest")
            except ValueError:
                errors[name] = {
                    "code": "invalid_cursor",
                    "message": "This page link is not valid; here are the newest mails.",
                }
    if "older" in values:
        values.pop("newer", None)
    return MailFilter(**values), errors


def site_id(dbs: Session, f: MailFilter) -> int | None:
    """Return the id of the filter's site; ValueError if no site has that slug."""
    if f.site is None:
        return None
    found = dbs.scalar(select(Site.id).where(Site.slug == f.site))
    if found is None:
        raise ValueError(f.site)
    return int(found)


def counts(dbs: Session, site: int | None) -> dict[str, int]:
    """Return how many mails have each status (of one site, or of all), zeros included."""
    query = select(MailMessage.status, func.count()).group_by(MailMessage.status)
    if site is not None:
        query = query.where(MailMessage.site_id == site)
    found = {status: int(n) for status, n in dbs.execute(query)}
    return {status: found.get(status, 0) for status in STATUSES}


@dataclass(frozen=True, slots=True)
class MailRow:
    """One line of the page: the outbox row, its site, its masked recipient, its comment."""

    mail: MailMessage
    site_name: str
    to: str
    comment_exists: bool

    @property
    def kind(self) -> str:
        return KINDS.get(self.mail.kind, self.mail.kind)

    @property
    def error(self) -> str:
        return mask_all(self.mail.last_error)


@dataclass(frozen=True, slots=True)
class MailPage:
    """One page of mails (newest first), where it starts, and how many match in all."""

    rows: list[MailRow]
    total: int
    start: int
    more: bool

    @property
    def first(self) -> Cursor | None:
        return _key(self.rows[0].mail) if self.rows else None

    @property
    def last(self) -> Cursor | None:
        return _key(self.rows[-1].mail) if self.rows else None


def _key(mail: MailMessage) -> Cursor:
    return Cursor(mail.created_at, mail.id)


def _past(cursor: Cursor, *, older: bool) -> ColumnElement[bool]:
    """Return "after ``cursor`` in newest-first order" (``older``), or before it."""
    left = tuple_(MailMessage.created_at, MailMessage.id)
    right = tuple_(literal(cursor.created_at, UTCDateTime()), literal(cursor.id))
    return left < right if older else left > right


def _rows(dbs: Session, query: Select[MailMessage, str, str, str]) -> list[MailRow]:
    return [
        MailRow(mail, name or "", mask(email), comment is not None)
        for mail, name, email, comment in dbs.execute(query)
    ]


def page(dbs: Session, f: MailFilter, site: int | None, size: int) -> MailPage:
    """Return the filter's page: the newest, or the one after (``older``) / before a row."""
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(MailMessage.status == f.status)
    if site is not None:
        where.append(MailMessage.site_id == site)
    total = int(dbs.scalar(select(func.count()).select_from(MailMessage).where(*where)) or 0)
    query = (
        select(MailMessage, Site.name, MailSubscription.email, Comment.id)
        .join(Site, Site.id == MailMessage.site_id)
        .join(MailSubscription, MailSubscription.id == MailMessage.subscription_id)
        .outerjoin(Comment, Comment.id == MailMessage.comment_id)
        .where(*where)
    )
    newest = (MailMessage.created_at.desc(), MailMessage.id.desc())
    rows: list[MailRow] = []
    more = False
    if f.newer is not None:
        oldest = (MailMessage.created_at.asc(), MailMessage.id.asc())
        back = query.where(_past(f.newer, older=False)).order_by(*oldest).limit(size)
        rows = list(reversed(_rows(dbs, back)))
        if len(rows) < size:  # near the top again: the newest page
            rows = []
        else:
            later = _past(_key(rows[-1].mail), older=True)
            more = bool(
                dbs.scalar(select(func.count()).select_from(MailMessage).where(*where, later))
            )
    elif f.older is not None:
        after = query.where(_past(f.older, older=True)).order_by(*newest).limit(size + 1)
        rows = _rows(dbs, after)
        more, rows = len(rows) > size, rows[:size]
    if not rows:
        rows = _rows(dbs, query.order_by(*newest).limit(size + 1))
        return MailPage(rows[:size], total, 0, len(rows) > size)
    earlier = _past(_key(rows[0].mail), older=False)
    start = int(
        dbs.scalar(select(func.count()).select_from(MailMessage).where(*where, earlier)) or 0
    )
    return MailPage(rows, total, start, more)
