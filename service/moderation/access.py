"""Who may see what in the dashboard: the logged-in user, roles, and site scope.

- ``current_user()`` — the logged-in, enabled account, or None (cached on ``g``)
- ``login_required`` — a view for any logged-in moderator or admin
- ``admin_required`` — a view for admins only (403 for moderators)
- ``public`` — a view that needs no session (login, first-admin setup, static files)
- ``site_scope()`` / ``can_see_comment()`` — which sites the user moderates
  (``service.auth.user_can_moderate``): admins every site, moderators their assigned ones

Without a session a browser is redirected to the login page (with ``next``);
a ``fetch`` or API client gets ``401`` in the contract's JSON error shape.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service.auth import LOGIN_AT, PASSWORD_TAG, password_tag, session_user, user_can_moderate
from service.errors import Forbidden, NotFound, Unauthorized, wants_html
from service.extensions import db
from service.store.tables import Site, User, UserSite

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a view that answers without a session."""
    view._moderato_public = True  # type: ignore[attr-defined]
    return view


def is_public(view: Callable[..., Any] | None) -> bool:
    """Tell whether ``view`` was marked ``public``."""
    return bool(getattr(view, "_moderato_public", False))


def start_session(user: User) -> None:
    """Log ``user`` in: a fresh session (no fixation) carrying the user id and login time."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session[LOGIN_AT] = int(time.time())
    session[PASSWORD_TAG] = password_tag(user)


def end_session() -> None:
    """Log out: forget everything the session held."""
    session.clear()


def current_user() -> User | None:
    """Return the logged-in, enabled account whose session is still valid, or None."""
    if "moderato_user" in g:
        return g.moderato_user
    user = None
    if session.get("user_id") is not None:
        with db().session() as dbs:
            user = session_user(dbs)
        if user is None:
            end_session()
    g.moderato_user = user
    return user


def unauthenticated() -> BaseResponse:
    """Answer a request without a session: the login page for browsers, 401 otherwise."""
    if wants_html() and request.method in ("GET", "HEAD"):
        return redirect(url_for("moderation.login", next=_next_target()))
    raise Unauthorized("Log in to the moderation dashboard first.")


def _next_target() -> str:
    path = request.full_path if request.query_string else request.path
    return path.rstrip("?")


def login_required(view: F) -> F:
    """Let only logged-in moderators and admins through."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return unauthenticated()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Let only logged-in admins through; moderators get 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return unauthenticated()
        if user.role != "admin":
            raise Forbidden("Only admins may open this page.", code="admin_required")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def user() -> User:
    """Return the logged-in user inside a protected view (never None there)."""
    found = current_user()
    if found is None:
        raise Unauthorized("Log in to the moderation dashboard first.")
    return found


def actor(account: User | None = None) -> str:
    """Return the audit name of the logged-in user: ``user:<id>``."""
    return f"user:{(account or user()).id}"


def site_scope(dbs: Session, account: User | None = None) -> list[int] | None:
    """Return the ids of the sites the user moderates, or None for every site (admins)."""
    account = account or user()
    if account.role == "admin":
        return None
    return list(dbs.scalars(select(UserSite.site_id).where(UserSite.user_id == account.id)))


def visible_sites(dbs: Session, account: User | None = None) -> list[Site]:
    """Return the sites the user moderates, by name."""
    scope = site_scope(dbs, account)
    query = select(Site).order_by(Site.name)
    if scope is not None:
        query = query.where(Site.id.in_(scope))
    return list(dbs.scalars(query))


def moderated_site(dbs: Session, slug: object, account: User | None = None) -> Site | None:
    """Return the site ``slug`` names if the user moderates it, else None."""
    return next((s for s in visible_sites(dbs, account) if s.slug == slug), None)


#: The field error of a posted site the user does not moderate.
UNKNOWN_SITE = {"code": "unknown_site", "message": "Choose a site you moderate."}


def can_see_comment(dbs: Session, site_id: int, account: User | None = None) -> None:
    """Raise 404 for a comment of a site the user does not moderate (its existence stays hidden)."""
    if not user_can_moderate(dbs, account or user(), site_id):
        raise NotFound("There is no such comment.", code="comment_not_found")
