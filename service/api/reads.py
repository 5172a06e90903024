"""``GET /api/v1/comments`` (a thread's published comments) and ``GET /api/v1/comments/<id>``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, current_app, request
from werkzeug.wrappers import Response as BaseResponse

from service import cors, explain, reports, sites, threads
from service.api import bp
from service.auth import KeyIdentity, read_key, session_user, user_can_moderate
from service.clock import rfc3339
from service.comment_pages import locate
from service.comments import (
    cursor_scope,
    decode_cursor,
    encode_cursor,
    public_item,
    published_counts,
)
from service.conversations import thread_page
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.ids import looks_like_id
from service.status import State
from service.store.tables import Comment, Site
from service.validation import thread_error, whole_number

#: ``featured=`` values: only the featured comments, or every published one.
FEATURED = {"1": True, "true": True, "0": False, "false": False, "": False}


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )


@bp.get("/comments/<comment_id>")
def get_comment(comment_id: str) -> Response:
    """Return a comment's state; scores and decision only to its site's key or a moderator."""
    if not looks_like_id(comment_id):
        raise NotFound("There is no such comment.", code="comment_not_found")
    with db().session() as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            raise NotFound("There is no such comment.", code="comment_not_found")
        # A browser page: one of the site's, or ours. A site's server that forwards its
        # reader's Origin with its key is not a page (keyed POSTs already accepted it).
        if cors.request_origin() is not None and read_key(session) is None:
            site = session.get(Site, comment.site_id)
            if site is not None:
                cors.refuse_foreign_origin(site)
        body: dict[str, Any] = {
            "id": comment.id,
            "status": comment.state,
            "created_at": rfc3339(comment.created_at),
            # the text's revision, which /moderate may name (an edit makes a new one)
            "revision": comment.revision,
        }
        if comment.state == State.PUBLISHED.value:
            body["comment"] = public_item(comment)
        if _may_see_scores(session, comment):
            body.update(private_view(comment))
            body["open_reports"] = reports.open_count(session, comment.id)
    resp = _json(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _may_see_scores(session: Any, comment: Comment) -> bool:
    # Any valid key sees the public view (a submit-only key may follow its own
    # status_url); scores need the site's own key with the read scope. A read, so it
    # spends nothing of the key's rate limit (polling status_url starved intake; found in
    # review), as the listing's reads do.
    key = read_key(session)
    if key is not None:
        return key.site_id == comment.site_id and "read" in key.scopes
    user = session_user(session)
    return user is not None and user_can_moderate(session, user, comment.site_id)


def private_view(comment: Comment) -> dict[str, Any]:
    """Return the scores and the decision, for the site's own key or a moderator."""
    decision = explain.public_decision(comment)  # a classifier error's message stays here
    return {
        "rejection": comment.rejection,
        "scores": None
        if comment.spam is None
        else {"spam": comment.spam, "toxicity": comment.toxicity},
        "decision": decision,
    }


@bp.get("/comments")
def list_comments() -> BaseResponse:
    """Return a thread's published comments (``featured=1``: its featured ones only), oldest
    first, cursor-paginated by comment or by conversation (``by``; the featured list is
    always by comment), with an ETag; ``comment=<id>``: the page that holds that comment
    (``located`` says whether it does; else the first page)."""
    args = request.args
    errors: dict[str, dict[str, str]] = {}
    thread = args.get("thread", "").strip()
    if problem := thread_error(thread):
        errors["thread"] = problem
    order = args.get("order", "oldest")
    if order not in ("oldest", "newest"):
        errors["order"] = {"code": "invalid_choice", "message": "Use oldest or newest."}
    by = args.get("by", "comment")
    if by not in ("comment", "conversation"):
        errors["by"] = {"code": "invalid_choice", "message": "Use comment or conversation."}
    featured = FEATURED.get(args.get("featured", ""))
    if featured is None:
        errors["featured"] = {"code": "invalid_choice", "message": "Use 1 or 0."}
    if featured:
        by = "comment"  # the picks are a flat list: each stands alone
    cfg = current_app.config
    limit = page_limit(args.get("limit"), cfg["LIST_PAGE_SIZE"], cfg["LIST_MAX_PAGE_SIZE"], errors)
    linked = _linked(args.get("comment"), errors)
    after = None
    with db().session() as session:
        key = read_key(session)
        slug = _site_slug(session, key)
        scope = cursor_scope(slug, thread, order, by, bool(featured))
        if args.get("cursor"):
            after = decode_cursor(args["cursor"], scope)
            if after is None:
                errors["cursor"] = {
                    "code": "invalid_cursor",
                    "message": "This cursor is not valid.",
                }
        if errors:
            raise ValidationFailed(fields=errors)
        site = sites.by_slug(session, slug)
        if site is None:
            raise NotFound(f"There is no site {slug!r}.", code="site_not_found")
        if key is None:
            cors.refuse_foreign_origin(site)
        found = linked and locate(
            session, site, thread, linked, by=by, featured=bool(featured),
            newest_first=order == "newest", limit=limit,
        )  # fmt: skip
        if found:
            after = found.after
        page = thread_page(
            session, site, thread, by=by, featured=bool(featured),
            newest_first=order == "newest", after=after, limit=limit,
        )  # fmt: skip
        thread_state = threads.state(session, site, thread).public()
    body = {
        "site": site.slug,
        "thread": thread,
        "order": order,
        "by": by,
        "items": [public_item(c) for c in page.rows],
        "next_cursor": encode_cursor(page.last, scope) if page.last else None,
        "total": page.total,
        "featured_total": page.featured_total,
        "thread_state": thread_state,
    }
    if page.cut:
        body["replies_truncated"] = True
    if linked:
        body["located"] = {"id": linked, "found": bool(found), "first_page": after is None}
    resp = _json(body)
    resp.set_etag(hashlib.sha256(resp.get_data()).hexdigest()[:32])
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Vary"] = "Origin, Authorization"  # a key picks the site
    return resp.make_conditional(request)


#: Threads one counts request may name (an index page's worth).
MAX_COUNT_THREADS = 100


@bp.get("/counts")
def count_comments() -> BaseResponse:
    """Return how many comments are published in each named thread (an index page's links).

    ``?site=S&thread=A&thread=B…`` → ``{"site": S, "counts": {"A": 3, "B": 0}}``: one
    grouped query on the thread index, cached by browsers and proxies for 30 seconds.
    """
    names = list(dict.fromkeys(t.strip() for t in request.args.getlist("thread")))
    errors: dict[str, dict[str, str]] = {}
    if len(names) > MAX_COUNT_THREADS:
        errors["thread"] = {
            "code": "too_many",
            "message": f"Name at most {MAX_COUNT_THREADS} threads per request.",
        }
    elif problem := next(filter(None, map(thread_error, names or [""])), None):
        errors["thread"] = problem
    if errors:
        raise ValidationFailed(fields=errors)
    with db().session() as session:
        key = read_key(session)
        slug = _site_slug(session, key)
        site = sites.by_slug(session, slug)
        if site is None:
            raise NotFound(f"There is no site {slug!r}.", code="site_not_found")
        if key is None:
            cors.refuse_foreign_origin(site)
        counts = published_counts(session, site, names)
    resp = _json({"site": site.slug, "counts": {t: counts.get(t, 0) for t in names}})
    resp.set_etag(hashlib.sha256(resp.get_data()).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=30"
    # A key picks the site: a shared cache must not give one caller's answer to another.
    resp.headers["Vary"] = "Origin, Authorization"
    return resp.make_conditional(request)


def _site_slug(session: Any, key: KeyIdentity | None) -> str:
    """Return the site a read names: ``?site=``, else the sending key's site, else ``default``.

    A site's server that sends its key and no ``site`` reads its own site (found in review:
    it read ``default`` and saw nothing). ``key`` comes from ``read_key``, which refuses an
    unknown, revoked or expired key with or without ``site``.
    """
    if slug := request.args.get("site"):
        return slug
    if key is not None:
        site = session.get(Site, key.site_id)
        if site is not None:
            return site.slug
    return sites.DEFAULT_SLUG


def _linked(raw: str | None, errors: dict[str, Any]) -> str | None:
    """Return the id of ``comment=`` (open at the page that holds it), if one is given
    (empty, like an empty ``cursor``: none)."""
    if not raw:
        return None
    if not looks_like_id(raw):
        errors["comment"] = {"code": "invalid_id", "message": "This is not a comment id."}
    elif request.args.get("cursor"):
        errors["comment"] = {
            "code": "not_with_cursor",
            "message": "Give a cursor or a comment, not both.",
        }
    return raw


def page_limit(raw: str | None, default: int, maximum: int, errors: dict[str, Any]) -> int:
    """Return ``limit=`` (ASCII digits, 1 to ``maximum``), or ``default`` when absent; note
    ``invalid_limit`` in ``errors`` otherwise (the thread listing and the queue)."""
    if raw is None:
        return default
    value = whole_number(raw)
    if value is None or not 1 <= value <= maximum:
        errors["limit"] = {
            "code": "invalid_limit",
            "message": f"limit must be a whole number from 1 to {maximum}.",
        }
        return default
    return value
