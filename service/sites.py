"""Sites and their API keys: lookup, the ``default`` site, creation."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.policy import DEFAULT_POLICY, normalise_policy
from service.security import new_api_key, split_api_key
from service.store.tables import ApiKey, Site
from service.validation import SITE_SLUG

DEFAULT_SLUG = "default"
DEFAULT_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
#: Every scope a key can have. ``privacy`` (export and erase a commenter's data through
#: the API: destructive, and it hands out e-mail addresses) is given only when asked for:
#: new sites' first keys and ``keys create`` without ``--scope`` get ``DEFAULT_SCOPES``.
SCOPES = ("submit", "read", "moderate", "privacy")
DEFAULT_SCOPES = ("submit", "read", "moderate")


@dataclass(frozen=True, slots=True)
class CreatedSite:
    """A new site and its first API key, shown once."""

    site: Site
    api_key: str


def by_slug(session: Session, slug: str) -> Site | None:
    """Return the site with ``slug``, or None; a string no slug can be (a NUL in a query
    parameter was a 500 on PostgreSQL; found in review) is never looked up."""
    if not SITE_SLUG.match(slug):
        return None
    return session.scalars(select(Site).where(Site.slug == slug)).one_or_none()


def normalise_origin(origin: str) -> str:
    """Return ``scheme://host[:port]`` of an origin or URL; raise ValueError if it has none."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {origin!r}")
    host = parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    # A browser's Origin never names the scheme's default port: https://x:443 is https://x.
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


def origin_allowed(site: Site, origin_or_url: str | None) -> bool:
    """Tell whether the origin of ``origin_or_url`` is one of the site's allowed origins."""
    if not origin_or_url:
        return False
    try:
        return normalise_origin(origin_or_url) in (site.origins or [])
    except ValueError:
        return False


def slugify(name: str) -> str:
    """Return a URL-safe slug for a site name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48]
    return slug or "site"


def default_origins(config: Mapping[str, Any], port: int) -> list[str]:
    """Return the origins a new ``default`` site allows: outside production, this server's
    own on ``port`` (where `make run` serves /demo); in production none, since a page on
    any reader's ``localhost:8000`` has no business posting to a live site (found in
    review). moderato's own pages (/demo, when turned on) are trusted anyway
    (``service.cors.trusted``); publishers add theirs with ``moderato sites update --site
    default --add-origin …``."""
    if config["ENV"] == "production":
        return []
    return sorted({*DEFAULT_ORIGINS, f"http://127.0.0.1:{port}", f"http://localhost:{port}"})


def ensure_default(session: Session, origins: Sequence[str] = DEFAULT_ORIGINS) -> Site:
    """Create the ``default`` site if it does not exist yet; return it."""
    site = by_slug(session, DEFAULT_SLUG)
    if site is None:
        site = Site(
            slug=DEFAULT_SLUG,
            name="Default site",
            origins=[normalise_origin(o) for o in origins],
            policy=dict(DEFAULT_POLICY),
        )
        session.add(site)
        session.flush()
    return site


def create(
    session: Session,
    name: str,
    origins: Sequence[str],
    *,
    slug: str | None = None,
    policy: dict[str, Any] | None = None,
    scopes: Sequence[str] = DEFAULT_SCOPES,
) -> CreatedSite:
    """Create a site with a unique slug and its first API key."""
    base = slug or slugify(name)
    candidate = base
    while by_slug(session, candidate) is not None:
        if slug:
            raise ValueError(f"a site with slug {slug!r} exists")
        candidate = f"{base}-{secrets.token_hex(2)}"
    site = Site(
        slug=candidate,
        name=name,
        origins=[normalise_origin(o) for o in origins],
        policy=normalise_policy(policy),
    )
    session.add(site)
    session.flush()
    token = add_key(session, site, name="first key", scopes=scopes)
    return CreatedSite(site, token)


def add_key(
    session: Session,
    site: Site,
    *,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
) -> str:
    """Create an API key for ``site``, working until ``expires_at`` (None: until revoked);
    return the token (only its hash is stored)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    key = new_api_key()
    session.add(
        ApiKey(
            site_id=site.id,
            prefix=key.prefix,
            secret_hash=key.secret_hash,
            name=name,
            scopes=list(scopes),
            expires_at=expires_at,
        )
    )
    session.flush()
    return key.token


def keys_of(session: Session, site: Site) -> list[ApiKey]:
    """Return a site's API keys, newest first, revoked ones included."""
    return list(
        session.scalars(select(ApiKey).where(ApiKey.site_id == site.id).order_by(ApiKey.id.desc()))
    )


def revoke_key(session: Session, site: Site, prefix: str) -> bool:
    """Revoke the site's key with ``prefix`` now (a rolled key too, before its end); False
    if it has none such or it no longer works."""
    key = _active_key(session, site, prefix)
    if key is None:
        return False
    key.revoked_at = utcnow()
    session.flush()
    return True


#: Longest time a rolled key keeps working beside its successor.
MAX_ROLL_GRACE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class RolledKey:
    """A roll's new key (its token, shown once) and when the old one stops working."""

    token: str
    prefix: str
    old_key_ends: datetime


class AlreadyRolled(ValueError):
    """The key was rolled before: it names its successor and when it stops working."""

    def __init__(self, prefix: str, successor: str, ends: datetime | None) -> None:
        super().__init__(f"key {prefix} was already rolled to {successor}")
        self.successor, self.ends = successor, ends


def roll_key(
    session: Session,
    site: Site,
    prefix: str,
    grace: timedelta,
    expires_at: datetime | None = None,
) -> RolledKey | None:
    """Replace the site's key ``prefix`` by a new one with the same name and scopes (working
    until ``expires_at``, None: until revoked); the old one keeps working for ``grace`` (0
    to 30 days; never longer than it already would), so a site's servers can move to the
    new key without a failed request. Return the new key and the old one's real end, or
    None if there is no such working key; raise ``AlreadyRolled`` if it was rolled before
    (each roll made another live successor; found in review)."""
    if not timedelta(0) <= grace <= MAX_ROLL_GRACE:
        raise ValueError("the grace period is from 0 to 30 days")
    key = _active_key(session, site, prefix)
    if key is None:
        return None
    if key.replaced_by is not None:
        raise AlreadyRolled(prefix, key.replaced_by, key.expires_at)
    end = utcnow() + grace
    key.expires_at = end if key.expires_at is None else min(key.expires_at, end)
    token = add_key(session, site, name=key.name, scopes=key.scopes, expires_at=expires_at)
    parts = split_api_key(token)
    assert parts is not None
    key.replaced_by = parts[0]
    return RolledKey(token, parts[0], key.expires_at)


def _active_key(session: Session, site: Site, prefix: str) -> ApiKey | None:
    key = session.scalars(
        select(ApiKey).where(ApiKey.site_id == site.id, ApiKey.prefix == prefix)
    ).one_or_none()
    return key if key is not None and key.active(utcnow()) else None
