"""``POST /api/v1/comments/<id>/reports``: a reader asks a moderator to look at a comment.

Public, like the comment form: browsers on the site's origins (CORS), or a site's server
with any of its keys. Anonymous reports share the comment form's per-IP rate limit. The
answer is the same whether the report was new or a repeat from the same reader.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from service import cors, events, reports
from service.api import bp
from service.api.intake import read_payload
from service.auth import request_key
from service.errors import NotFound, RateLimited, ValidationFailed
from service.extensions import db, queue
from service.ids import looks_like_id
from service.ratelimit import Limit, limiter
from service.security import ip_hash
from service.status import State
from service.store.tables import Comment, Site


def validate_report(payload: dict[str, Any]) -> tuple[str, str | None]:
    """Return (reason, note), or raise 422 naming every bad field."""
    errors: dict[str, dict[str, str]] = {}
    reason = payload.get("reason")
    if reason is None or reason == "":
        errors["reason"] = {"code": "required", "message": "This field is required."}
    elif reason not in reports.REASONS:
        errors["reason"] = {
            "code": "invalid_choice",
            "message": f"Use one of: {', '.join(reports.REASONS)}.",
        }
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        errors["note"] = {"code": "invalid_type", "message": "This field must be text."}
    elif isinstance(note, str) and len(note.strip()) > reports.MAX_NOTE:
        errors["note"] = {
            "code": "too_long",
            "message": f"This field is too long (at most {reports.MAX_NOTE} characters).",
        }
    if errors:
        raise ValidationFailed(fields=errors)
    return str(reason), (note.strip() or None) if isinstance(note, str) else None


@bp.post("/comments/<comment_id>/reports")
def report_comment(comment_id: str) -> Response:
    """Record a reader's report on a published comment; 202 whether new or a repeat."""
    reason, note = validate_report(read_payload())
    cfg = current_app.config
    client = ip_hash(cfg["SECRET_KEY"], request.remote_addr)
    with db().session() as session:
        key = request_key(session)
        if key is None:
            limit = Limit(float(cfg["ANON_RATE_PER_MINUTE"]), int(cfg["ANON_RATE_BURST"]))
            wait = limiter().wait_seconds(f"anon:{client or 'unknown'}", limit)
            if wait:
                raise RateLimited(
                    "You are sending reports too quickly. Please wait a moment.",
                    headers={"Retry-After": str(wait)},
                )
        comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
        if key is not None and comment is not None and comment.site_id != key.site_id:
            comment = None  # another site's comment: as if it did not exist
        if comment is None or comment.state != State.PUBLISHED.value:
            raise NotFound("There is no such published comment.", code="comment_not_found")
        if key is None:
            site = session.get(Site, comment.site_id)
            if site is not None:
                cors.refuse_foreign_origin(site)
        deliveries: list[str] = []
        if reports.add(session, comment, reason, note, client):
            report = {"reason": reason, "open_reports": reports.open_count(session, comment.id)}
            deliveries = events.record(session, "comment.reported", comment, {"report": report})
    if deliveries:
        queue().enqueue_deliveries(deliveries)
    resp = jsonify({"id": comment_id, "reported": True})
    resp.status_code = 202
    resp.headers["Cache-Control"] = "no-store"
    return resp
