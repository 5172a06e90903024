"""``POST /api/v1/comments/<id>/reports``: a reader asks a moderator to look at a comment.

Public, like the comment form: browsers on the site's origins (CORS), or a site's server
with any of its keys. Anonymous reports share the comment form's per-IP rate limit. The
answer is the same whether the report was new or a repeat from the same reader.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from service import cors, events, reports
from service.api import bp
from service.api.body import read_payload
from service.api.browser import answers_forms, back_url, limit_browser_posts, wants_redirect
from service.auth import request_key
from service.client_fields import validate_client
from service.errors import NotFound, ValidationFailed
from service.extensions import db, queue
from service.ids import looks_like_id
from service.security import client_hash, reporter_hash
from service.status import State
from service.store.tables import Comment, Site
from service.validation import field_error, has_controls, unknown_fields

#: The fields of a report from a site's server (any other is ``unknown_field``; a
#: browser's form carries its own, which are ignored).
#: What a ``reporter`` looks like when it is an e-mail address, not an id.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
KEYED_FIELDS = ("reason", "note", "user_ip", "reporter")
MAX_REPORTER = 255


def validate_report(
    payload: dict[str, Any], errors: dict[str, dict[str, str]] | None = None
) -> tuple[str, str | None]:
    """Return (reason, note), or raise 422 naming every bad field (with ``errors``, those
    found already)."""
    errors = dict(errors or {})
    reason = payload.get("reason")
    if reason is None or reason == "":
        errors["reason"] = field_error("required")
    elif reason not in reports.REASONS:
        errors["reason"] = {
            "code": "invalid_choice",
            "message": f"Use one of: {', '.join(reports.REASONS)}.",
        }
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        errors["note"] = field_error("invalid_type")
    elif isinstance(note, str) and len(note.strip()) > reports.MAX_NOTE:
        errors["note"] = field_error("too_long", limit=reports.MAX_NOTE)
    elif isinstance(note, str) and has_controls(note, allow="\t\n\r", bidi=True):
        # NUL broke PostgreSQL (a 500; found in review).
        errors["note"] = field_error("control_characters")
    if errors:
        raise ValidationFailed(fields=errors)
    return str(reason), (note.strip() or None) if isinstance(note, str) else None


def _reporter(payload: dict[str, Any], errors: dict[str, dict[str, str]]) -> str | None:
    """Return a keyed report's ``reporter`` (the reader's id in the site's own system,
    trimmed: at most 255 characters, no control characters, not an e-mail address), or
    None; a field error when malformed."""
    value = payload.get("reporter")
    if isinstance(value, str):
        value = value.strip()  # " 42" and "42" are one reader
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors["reporter"] = field_error("invalid_type")
    elif EMAIL.match(value):  # the docs ask for an id: an address would be kept (hashed)
        errors["reporter"] = field_error("email_not_allowed")
    elif len(value) > MAX_REPORTER:
        errors["reporter"] = field_error("too_long", limit=MAX_REPORTER)
    elif has_controls(value, bidi=True):
        errors["reporter"] = field_error("control_characters")
    else:
        return value
    return None


@bp.post("/comments/<comment_id>/reports")
@answers_forms(kind="report")
def report_comment(comment_id: str) -> BaseResponse:
    """Record a reader's report on a published comment; 202 whether new or a repeat, or,
    for the no-JS thread's form, a 303 back to its page.

    A browser's reader is its client (by address, or /64 network for IPv6). A site's
    server relaying its readers' reports names each reader: ``reporter`` (the reader's id
    in its own system), else ``user_ip`` (as for comments); with neither, the server
    itself is the reader, so its retries and duplicates count once (review findings: all
    of a server's reports counted as one reader even with ``user_ip``; then, without one,
    each retry counted again).
    """
    payload = read_payload()
    cfg = current_app.config
    with db().session() as session:
        key = request_key(session, scope="submit")
        if key is None:
            reason, note = validate_report(payload)
            limit_browser_posts("You are sending reports too quickly. Please wait a moment.")
            client = client_hash(cfg["SECRET_KEY"], request.remote_addr)
        else:
            info, errors = validate_client({"user_ip": payload.get("user_ip")})
            errors.update(unknown_fields(payload, KEYED_FIELDS))  # a program: no misspellings
            reporter = _reporter(payload, errors)
            reason, note = validate_report(payload, errors)
            client = (
                client_hash(cfg["SECRET_KEY"], info.user_ip)
                if info.user_ip and not reporter
                else reporter_hash(cfg["SECRET_KEY"], key.site_id, reporter)
            )
        comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
        if key is not None and comment is not None and comment.site_id != key.site_id:
            comment = None  # another site's comment: as if it did not exist
        if comment is None or comment.state != State.PUBLISHED.value:
            raise NotFound("There is no such published comment.", code="comment_not_found")
        site_row = session.get(Site, comment.site_id)
        assert site_row is not None  # a comment's site (ON DELETE CASCADE)
        if key is None:
            cors.refuse_foreign_origin(site_row)
        deliveries: list[str] = []
        if reports.add(session, comment, reason, note, client):
            report = {"reason": reason, "open_reports": reports.open_count(session, comment.id)}
            deliveries = events.record(session, "comment.reported", comment, {"report": report})
    if deliveries:
        queue().enqueue_deliveries(deliveries)
    if wants_redirect():
        return redirect(back_url(site_row, cors.return_target(site_row), "reported"), code=303)
    resp = jsonify({"id": comment_id, "reported": True})
    resp.status_code = 202
    resp.headers["Cache-Control"] = "no-store"
    return resp
