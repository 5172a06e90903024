"""``PATCH`` and ``DELETE /api/v1/comments/<id>``: an author edits or withdraws their own
comment with the edit token of its intake answer, inside the edit window (``service.edits``).

The token travels in the ``Moderato-Edit-Token`` header. Browser requests (no key) count
against the comment form's per-client rate limit and come only from the site's origins; a
site's server may send its key (``submit`` scope, its own limit) with its reader's token.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response as BaseResponse

from service import cors, edits, privacy
from service.api import bp
from service.api.body import read_payload
from service.api.browser import limit_browser_posts
from service.api.intake import status_url
from service.auth import KeyIdentity, request_key
from service.clock import rfc3339
from service.enqueue import enqueue_outboxes
from service.errors import NotFound, ValidationFailed
from service.extensions import db, queue
from service.ids import looks_like_id
from service.ratelimit import redis_failed_in_request
from service.store.tables import Comment, Site
from service.validation import unknown_fields, validate_revision, validate_text

#: The fields of an edit (with a key, any other is ``unknown_field``).
EDIT_FIELDS = ("text", "revision")


def _window_on() -> bool:
    return int(current_app.config["EDIT_WINDOW"]) > 0


def _guard(session: Any, comment_id: str) -> KeyIdentity | None:
    """Count the request against its rate limit; 404 for a comment that is not there (or
    not the key's site's); 403 for a page on an origin the comment's site does not allow.
    Return the request's key, if any."""
    key = request_key(session, scope="submit")
    if key is None:
        limit_browser_posts("You are editing too quickly. Please wait a moment and try again.")
    comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
    if comment is None or (key is not None and key.site_id != comment.site_id):
        raise NotFound("There is no such comment.", code="comment_not_found")
    site = session.get(Site, comment.site_id)
    assert site is not None
    if key is None:
        cors.refuse_foreign_origin(site)
    else:
        cors.remember(site)
    return key


def _token() -> str | None:
    return request.headers.get(edits.HEADER, "").strip() or None


def _body(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "status": comment.state,
        "status_url": status_url(comment.id),
        "edited_at": rfc3339(comment.edited_at),
        "edit_until": rfc3339(comment.edit_until),
        "revision": comment.revision,
    }


@bp.patch("/comments/<comment_id>")
def edit_comment(comment_id: str) -> BaseResponse:
    """Replace the text of the caller's own comment: 202 while the new text waits for the
    classifier (a text the comment already has: 200, nothing changes); with ``revision``,
    only if that is still the comment's (else 409 ``edit_conflict``)."""
    payload = read_payload()
    text, errors = validate_text(payload)
    revision = validate_revision(payload, errors)
    with db().session() as session:
        if _guard(session, comment_id) is not None:  # a program: no silent misspellings
            errors.update(unknown_fields(payload, EDIT_FIELDS))
        if errors or text is None:
            raise ValidationFailed(fields=errors)
        done = edits.edit(
            session, comment_id, _token(), text, window_on=_window_on(), revision=revision
        )
        body = _body(done.comment)
    resp = jsonify(body)
    if done.outcome is None:
        return resp
    if not redis_failed_in_request():  # else the sweep queues it, as at intake
        queue().enqueue_classify(comment_id, body["revision"])
    enqueue_outboxes(queue(), done.outcome.deliveries, [])
    resp.status_code = 202
    resp.headers["Location"] = body["status_url"]
    return resp


@bp.delete("/comments/<comment_id>")
def withdraw_comment(comment_id: str) -> BaseResponse:
    """Withdraw the caller's own comment: it leaves its thread at once and is erased. It
    reads no body: a key's request that sends fields is a 422 naming each (``unknown_field``),
    as every keyed call's misspelt field is, rather than dropped without a word."""
    with db().session() as session:
        if _guard(session, comment_id) is not None and request.get_data(cache=True):
            errors = unknown_fields(read_payload(), ())
            if errors:
                raise ValidationFailed(fields=errors)
        comment, deliveries = edits.withdraw(session, comment_id, _token(), window_on=_window_on())
        body = {"id": comment.id, "status": comment.state, "rejection": comment.rejection}
    enqueue_outboxes(queue(), deliveries, [])
    # the erased text leaves SQLite's write-ahead log; one short try (a reader's request
    # must not wait a second behind someone else's long read)
    privacy.checkpoint(db(), tries=1)
    return jsonify(body)
