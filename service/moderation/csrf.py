"""CSRF protection for the dashboard: one random token per session, checked on every unsafe request.

Forms carry it in a hidden ``csrf_token`` field (``{{ csrf_field() }}`` in a
template); ``fetch`` sends it in the ``X-CSRF-Token`` header (the base template
puts it in ``<meta name="csrf-token">`` and ``moderation.js`` adds the header).
A request from another origin (``Origin`` header that is not ours) is refused
as well. ``protect(bp)`` turns the check on for a whole blueprint; ``exempt``
marks a view that needs none (there is none in the dashboard).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, session
from markupsafe import Markup, escape

from service.errors import Forbidden

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

F = TypeVar("F", bound=Callable[..., Any])


class CsrfFailed(Forbidden):
    """A state-changing request without this session's CSRF token."""

    code = "csrf_failed"
    message = "The form has expired or did not come from this dashboard; reload the page and retry."


def token() -> str:
    """Return this session's CSRF token, creating it on first use."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or len(value) < 32:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def rotate() -> str:
    """Replace the session's token (at login and logout) and return the new one."""
    session.pop(SESSION_KEY, None)
    return token()


def field() -> Markup:
    """Return the hidden form input carrying the token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, escape(token()))


def exempt(view: F) -> F:
    """Mark a view that takes unsafe requests without a CSRF token."""
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def check() -> None:
    """Raise ``CsrfFailed`` unless the request carries this session's token from our origin."""
    if request.method in SAFE_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "_csrf_exempt", False):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and not _same_origin(origin):
        raise CsrfFailed("This request came from another site.", code="csrf_origin")
    sent = request.headers.get(HEADER) or request.form.get(FORM_FIELD, "")
    expected = session.get(SESSION_KEY)
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise CsrfFailed()


def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def protect(bp: Blueprint) -> None:
    """Check the CSRF token on every unsafe request to ``bp``; offer the template helpers."""
    bp.before_request(check)
    bp.record_once(
        lambda state: state.app.jinja_env.globals.update(csrf_token=token, csrf_field=field)
    )
