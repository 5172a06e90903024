"""Find what was sent with an e-mail address: its comments, its check records, the
audit entries of bans on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import sites
from service.addresses import email_key, stored_form
from service.store.tables import AuditEntry, Comment, Site
from service.store.tables_integrations import Check


def normalise(email: str) -> str:
    """Return the form addresses are matched in (``service.addresses.email_key``); raise
    ValueError for something not one. Its length is the stored form's (NFC): an address
    the comment form took, typed decomposed, may be longer than 254 characters."""
    value = email_key(email)
    if "@" not in value or len(stored_form(email)) > 254 or any(c.isspace() for c in value):
        raise ValueError(f"{email!r} is not an e-mail address")
    return value


def matching(session: Session, model: type[Any], email: str, site: Site | None) -> list[Any]:
    """Return the rows of ``model`` (comments or checks) sent with ``email`` (normalised):
    an equality on their ``email_key``, computed in Python when they were stored (SQL's
    ``lower()`` folds ASCII only in SQLite: ``İnci@…`` was never found; found in review)."""
    query = select(model).where(model.email_key == email)
    if site is not None:
        query = query.where(model.site_id == site.id)
    return list(session.scalars(query.order_by(model.created_at, model.id)))


def comments(session: Session, email: str, site: Site | None) -> list[Comment]:
    """Return the comments sent with ``email``, oldest first."""
    return matching(session, Comment, email, site)


def checks(session: Session, email: str, site: Site | None) -> list[Check]:
    """Return the Akismet-compatible check records sent with ``email``, oldest first."""
    return matching(session, Check, email, site)


def slugs(session: Session) -> dict[int, str]:
    """Return every site's slug by its id."""
    return {site.id: site.slug for site in session.scalars(select(Site))}


def ban_entries(
    session: Session, email: str, site: Site | None, *, own_rows_only: bool = False
) -> list[AuditEntry]:
    """Return the audit entries of bans on the address and their lifts: they name it
    without naming a comment (a hand ban, an unban; found in review: an erasure left them
    and an export did not show them). With a site, those of bans on every site too, unless
    ``own_rows_only`` (a site key's request: those are the installation's)."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(("ban", "unban")))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [
        e
        for e in entries
        if (e.details or {}).get("kind") == "email"
        and email_key(str((e.details or {}).get("value", ""))) == email
        and in_site(e.site_id, site, own_rows_only)
    ]


def in_site(site_id: int | None, site: Site | None, own_rows_only: bool = False) -> bool:
    """Tell whether a row of ``site_id`` (None: every site) belongs to a request about
    ``site`` (None: every site)."""
    if site is None:
        return True
    return site_id == site.id or (site_id is None and not own_rows_only)


def site_by_slug(session: Session, slug: str | None) -> Site | None:
    """Return the site ``slug`` names (None: every site); raise ValueError if none does."""
    if slug is None:
        return None
    site = sites.by_slug(session, slug)
    if site is None:
        raise ValueError(f"no site {slug!r}")
    return site
