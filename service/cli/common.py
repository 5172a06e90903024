"""What the commands share: the app and a database session, a site by its slug, and the
audit entry of a change made on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from service.store.tables import Site


@contextmanager
def app_session() -> Iterator[Session]:
    """Build the app from the environment and open a database session in its context."""
    from service import create_app
    from service.extensions import db

    app = create_app()
    with app.app_context(), db().session() as session:
        yield session


def site_named(session: Session, slug: str) -> Site:
    """Return the site ``slug`` names; a missing one is the operator's error."""
    from service import sites

    site = sites.by_slug(session, slug)
    if site is None:
        raise click.ClickException(f"there is no site {slug!r}")
    return site


def site_or_all(session: Session, slug: str | None) -> Site | None:
    """Return the site ``slug`` names, or None (every site) without one."""
    return None if slug is None else site_named(session, slug)


def audit(session: Session, site_id: int, action: str, **details: Any) -> None:
    """Write a site-level audit entry for a change made on the command line."""
    from service.integrations.admin.forms import audit as write_audit

    write_audit(session, site_id, action, actor="cli", **details)
