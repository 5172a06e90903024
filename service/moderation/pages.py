"""What every dashboard request shares: the session and CSRF guard, security headers, HTML errors.

``guard(bp)`` puts a blueprint behind the dashboard's login: every view answers
401 (``fetch``) or redirects to the login page (browser) without a session,
unless it is marked ``@access.public``; every unsafe request must carry the
CSRF token; responses get a strict Content-Security-Policy and ``no-store``;
``ApiError``s render as an HTML page for browsers and as the contract's JSON
for ``fetch``. Other blueprints that add dashboard pages call ``guard`` too.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from service.bidi import isolate
from service.errors import ApiError, error_response, wants_html
from service.moderation import access, csrf, nav
from service.moderation.highlight import show_controls
from service.policy import shown

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def _check_request() -> BaseResponse | None:
    """Refuse a request without a session (unless the view is public) or without its CSRF token."""
    endpoint = request.endpoint or ""
    view = current_app.view_functions.get(endpoint)
    static = endpoint.endswith(".static")
    if not static and not access.is_public(view) and access.current_user() is None:
        return access.unauthenticated()
    csrf.check()
    return None


def _harden(resp: BaseResponse) -> BaseResponse:
    """Add the dashboard's security headers."""
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if not (request.endpoint or "").endswith(".static"):
        resp.headers["Cache-Control"] = "no-store"
    return resp


def render_error(err: ApiError) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Answer ``err`` as an HTML page for a browser, else as the contract's JSON."""
    if wants_html():
        back = request.referrer or ""
        host = request.host_url.rstrip("/")
        back = back[len(host) :] if back.startswith(host + "/moderation") else ""
        page = render_template("moderation/error.html", error=err, back=back)
        return page, err.status, dict(err.headers)
    return error_response(err)


def _template_context() -> dict[str, object]:
    from service.moderation.bans_views import pop_undo  # bans_views builds on these pages

    account = access.current_user()
    return {
        "current_user": account,
        "nav_items": nav.items_for(account.role if account else None),
        "here": request.full_path.rstrip("?"),
        "pop_undo_ban": pop_undo,
    }


def guard(bp: Blueprint) -> None:
    """Put ``bp`` behind the dashboard login and CSRF check, with the dashboard's headers."""
    bp.before_request(_check_request)
    bp.after_request(_harden)
    bp.register_error_handler(ApiError, render_error)
    bp.context_processor(_template_context)
    bp.record_once(
        lambda state: state.app.jinja_env.globals.update(
            csrf_token=csrf.token,
            csrf_field=csrf.field,
            score=shown,
            shown_text=show_controls,
            isolated=isolate,
        )
    )
