"""CORS for the public comment endpoints: answered only to the thread's site's origins."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from service import cors, request_ids, sites
from service.api import bp
from service.errors import Forbidden
from service.extensions import db
from service.ids import looks_like_id
from service.store.tables import Comment, Site

#: The endpoints a publisher's page calls from the browser.
BROWSER_ENDPOINTS = frozenset(
    {
        "api.create_comment",
        "api.list_comments",
        "api.get_comment",
        "api.count_comments",
        "api.report_comment",
        "api.edit_comment",
        "api.withdraw_comment",
    }
)


def _slug_from_request() -> str:
    """Return the site slug a collection request names (query, then body), else ``default``."""
    slug: Any = request.args.get("site")
    if not slug and request.method == "POST":
        body: Any = None
        try:
            body = request.get_json(silent=True) if request.is_json else request.form
        except (HTTPException, RecursionError):  # an unreadable body names no site
            body = None
        if hasattr(body, "get"):
            slug = body.get("site")
    return slug.strip() if isinstance(slug, str) and slug.strip() else sites.DEFAULT_SLUG


def request_origins() -> list[str] | None:
    """Return the allowed origins of the site a browser request is about (comment's or named)."""
    remembered = cors.remembered()
    if remembered is not None:
        return remembered
    with db().session() as session:
        site: Site | None
        comment_id = (request.view_args or {}).get("comment_id")
        if comment_id is not None:
            comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
            site = None if comment is None else session.get(Site, comment.site_id)
        else:
            site = sites.by_slug(session, _slug_from_request())
        return None if site is None else list(site.origins or [])


@bp.before_request
def answer_preflight() -> BaseResponse | None:
    """Answer a CORS preflight: 204 with the CORS headers, or 403 for a foreign origin."""
    if request.endpoint not in BROWSER_ENDPOINTS or not cors.is_preflight():
        return None
    resp = Response(status=204)
    if not cors.add_headers(resp, request_origins(), preflight=True):
        raise Forbidden("This origin may not call this endpoint.", code="origin_not_allowed")
    return resp


@bp.after_request
def add_cors_headers(resp: BaseResponse) -> BaseResponse:
    """Let an allowed origin read the answer (errors included, so the widget can show them)."""
    if request.endpoint in BROWSER_ENDPOINTS and request.method != "OPTIONS":
        resp.vary.add("Origin")
        refused = cors.refused()
        if refused is not None:  # only the 403 saying so (and its id); nothing else
            resp.headers["Access-Control-Allow-Origin"] = refused
            resp.headers["Access-Control-Expose-Headers"] = request_ids.HEADER
        elif cors.request_origin() is not None:
            try:
                origins = request_origins()
            except SQLAlchemyError:  # the database is down: the answer is already an error
                origins = None
            if not cors.add_headers(resp, origins) and origins is None and resp.status_code >= 400:
                # About no site or comment we know (a typo in data-site): any page may read
                # that error, so the widget can say the page is set up wrong. It says
                # nothing curl would not.
                resp.headers["Access-Control-Allow-Origin"] = str(cors.request_origin())
                resp.headers["Access-Control-Expose-Headers"] = request_ids.HEADER
    return resp
