"""``GET /api/v1/queue?status=held``: what waits for a decision on a site, for its server.

A site's server that missed webhooks (its endpoint disabled, an outage) reconciles here:
it lists the comments the dashboard's Held, Pending or Reported queue holds, oldest first,
and decides each with ``POST /api/v1/comments/<id>/moderate`` (``expected_status`` and
``revision`` from the item). A path of its own, not ``GET /api/v1/comments?status=``: that
URL is the contract's public listing of one thread's published comments.

The key must be the site's, with the ``moderate`` scope (the one ``/moderate`` needs: who
may decide may see what waits). It is a read: it spends nothing of the key's rate limit
(``read_key``), which intake shares. The queues are the dashboard's conditions
(``service.moderation.queries.queue_condition`` through ``conditions``), the pages the
public listing's cursors (``service.comments``), each item a webhook's ``data``
(``service.events.comment_data``: never the e-mail address) with the decision's
``reasons`` and ``summary`` (``service.explain``) and its readers' ``open_reports``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import func, select

from service.api import bp
from service.api.reads import page_limit
from service.auth import read_key
from service.comments import cursor_scope, decode_cursor, encode_cursor, in_order, past
from service.errors import Forbidden, KeyUnauthorized, ValidationFailed
from service.events import comment_data
from service.explain import explanation
from service.extensions import db
from service.moderation.filters import QueueFilter
from service.moderation.queries import conditions
from service.reports import open_summaries
from service.store.tables import Comment, Site
from service.validation import thread_error

#: The dashboard's queues whose comments wait for a person: held and pending by their
#: state, reported = published with a reader's report no moderator has answered.
STATUSES = ("held", "pending", "reported")
ORDERS = ("oldest", "newest")


def _validate(errors: dict[str, dict[str, str]]) -> tuple[str, str, str | None]:
    """Return the status, order and thread asked for, noting every bad one in ``errors``."""
    args = request.args
    status = args.get("status") or "held"
    if status not in STATUSES:
        errors["status"] = {
            "code": "invalid_choice",
            "message": f"Use one of: {', '.join(STATUSES)}.",
        }
    order = args.get("order") or "oldest"
    if order not in ORDERS:
        errors["order"] = {"code": "invalid_choice", "message": "Use oldest or newest."}
    thread = args.get("thread")
    if thread is not None:
        thread = thread.strip()
        if problem := thread_error(thread):
            errors["thread"] = problem
    return status, order, thread


def _key_site(session: Any) -> Site:
    """Return the site of the request's ``moderate`` key, spending nothing of its limit."""
    key = read_key(session)
    if key is None:
        raise KeyUnauthorized("Send a site key with the moderate scope.", code="unauthorized")
    if "moderate" not in key.scopes:
        raise Forbidden("This key lacks the 'moderate' scope.", code="insufficient_scope")
    site = session.get(Site, key.site_id)
    assert site is not None  # a key's site cascades with it
    if request.args.get("site") not in (None, "", site.slug):
        raise Forbidden(f"This key belongs to the site {site.slug!r}.", code="site_mismatch")
    return site


def queue_item(comment: Comment, site_slug: str, open_reports: int) -> dict[str, Any]:
    """Return one waiting comment: a webhook's ``data``, why, and its open reports."""
    data = comment_data(comment, site_slug)
    return {**data, **explanation(comment), "open_reports": open_reports}


@bp.get("/queue")
def list_queue() -> Response:
    """Return a page of the key's site's Held (default), Pending or Reported queue, oldest
    first (``order=newest``: the reverse), cursor-paginated, optionally of one thread."""
    errors: dict[str, dict[str, str]] = {}
    status, order, thread = _validate(errors)
    cfg = current_app.config
    limit = page_limit(
        request.args.get("limit"), cfg["LIST_PAGE_SIZE"], cfg["LIST_MAX_PAGE_SIZE"], errors
    )
    newest_first = order == "newest"
    with db().session() as session:
        site = _key_site(session)
        # a list of its own: a thread listing's cursor (or another queue's) is refused here
        scope = cursor_scope(site.slug, thread or "", order, by=f"queue:{status}")
        after = None
        if request.args.get("cursor"):
            after = decode_cursor(request.args["cursor"], scope)
            if after is None:
                errors["cursor"] = {
                    "code": "invalid_cursor",
                    "message": "This cursor is not valid.",
                }
        if errors:
            raise ValidationFailed(fields=errors)
        where = conditions(QueueFilter(queue=status, thread=thread or None), None, site.id)
        total = int(session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0)
        query = select(Comment).where(*where)
        if after is not None:
            query = query.where(past(after, newest_first))
        rows = list(session.scalars(query.order_by(*in_order(newest_first)).limit(limit + 1)))
        more, rows = len(rows) > limit, rows[:limit]
        reports = open_summaries(session, [c.id for c in rows])
        items = [
            queue_item(c, site.slug, reports[c.id].count if c.id in reports else 0) for c in rows
        ]
    body = {
        "site": site.slug,
        "status": status,
        "order": order,
        "thread": thread,
        "items": items,
        "next_cursor": encode_cursor(rows[-1], scope) if more else None,
        "total": total,
    }
    resp = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
    )
    resp.headers["Cache-Control"] = "no-store"  # a moderator's view, not a page to cache
    return resp
