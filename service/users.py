"""Moderator and admin accounts."""

from __future__ import annotations

from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import sites
from service.passwords import MIN_LENGTH, hash_password
from service.store.tables import User, UserSite

ROLES = ("admin", "moderator")


class UserError(ValueError):
    """A user that cannot be created as asked."""


def count(session: Session) -> int:
    """Return how many accounts exist."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def by_email(session: Session, email: str) -> User | None:
    """Return the account with ``email`` (case-insensitive), or None."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


def create(
    session: Session, email: str, password: str, role: str, site_slugs: Sequence[str] = ()
) -> User:
    """Create an account; moderators are limited to the sites listed."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"invalid e-mail address: {exc}") from exc
    if len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters")
    if by_email(session, email) is not None:
        raise UserError(f"an account for {email} exists")
    site_rows = []
    for slug in site_slugs:
        site = sites.by_slug(session, slug)
        if site is None:
            raise UserError(f"there is no site {slug!r}")
        site_rows.append(site)
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    for site in site_rows:
        session.add(UserSite(user_id=user.id, site_id=site.id))
    return user
