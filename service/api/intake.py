"""``POST /api/v1/comments``: validate, store as pending, enqueue, answer 202."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import redis
from flask import current_app, jsonify, redirect, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service import antibot, cors, edits, idempotency, mailer, sites, threads
from service.api import bp
from service.api.body import FORM_TYPES, read_payload
from service.api.browser import answers_forms, back_url, limit_browser_posts, wants_redirect
from service.auth import KeyIdentity, request_key
from service.client_fields import CLIENT_FIELDS, ClientInfo, validate_client
from service.clock import rfc3339, utcnow
from service.comments import Accepted, IntakeMeta, parent_in_thread, store_new
from service.embed import i18n
from service.errors import (
    Forbidden,
    NotFound,
    ValidationFailed,
)
from service.extensions import db, queue, redis_conn
from service.ratelimit import redis_failed_in_request
from service.security import ip_hash
from service.store.tables import Comment, IdempotencyKey, Site
from service.validation import (
    COMMENT_FIELDS,
    CommentInput,
    field_error,
    unknown_fields,
    validate,
)

log = logging.getLogger(__name__)


def _meta(
    payload: dict[str, Any],
    key: KeyIdentity | None,
    site: Site,
    data: CommentInput,
    client: ClientInfo,
) -> IntakeMeta:
    """Collect what we keep about the submitter: a keyed IP hash, the user agent, bot signals."""
    cfg = current_app.config
    secret = cfg["SECRET_KEY"]
    if key is not None:
        return IntakeMeta(
            ip_hash=ip_hash(secret, client.user_ip),
            user_agent=client.user_agent,
            referrer=client.referrer,
            permalink=client.permalink,
            actor=key.actor,
            signals={"source": "api"},
        )
    traps = antibot.signals(
        payload,
        secret_key=secret,
        site=site.slug,
        thread=data.thread,
        now=utcnow().timestamp(),
        min_seconds=cfg["FORM_TOKEN_MIN_SECONDS"],
        max_age=cfg["FORM_TOKEN_MAX_AGE"],
    )
    token = str(payload.get(antibot.TOKEN_FIELD))  # "valid" below means it is a str
    if traps["form_token"] == "valid" and not _claim(antibot.claim_key(secret, token)):
        traps["form_token"] = "reused"
    return IntakeMeta(
        ip_hash=ip_hash(secret, request.remote_addr),
        user_agent=request.user_agent.string or None,
        referrer=request.referrer,
        permalink=_page(payload, site),
        actor="public",
        signals={"source": "form" if request.mimetype in FORM_TYPES else "json", **traps},
    )


def _page(payload: dict[str, Any], site: Site) -> str | None:
    """Return the page a browser's comment was written on (the widget's ``permalink``: its
    URL without the fragment) when it is an http(s) URL on one of the site's origins or
    ours; else None (a page may post what it likes there, and the dashboard links to it)."""
    info, errors = validate_client({"permalink": payload.get("permalink")})
    url = info.permalink
    if errors or url is None or not cors.trusted(site, url):
        return None
    return url.split("#", 1)[0]


def _claim(key: str) -> bool:
    """Mark a valid form token used; False if an accepted comment already used it.

    Runs only for input that passed validation, so a form sent back with a 422 keeps its
    token. With Redis away the check is skipped (True): intake keeps accepting comments,
    and a replayed token passes as valid until Redis is back.
    """
    try:
        return bool(
            redis_conn().set(
                key,
                1,
                nx=True,
                ex=int(current_app.config["FORM_TOKEN_MAX_AGE"]),
            )
        )
    except redis.RedisError as exc:
        log.warning("form token not checked for reuse (Redis away): %s", exc)
        return True


@bp.post("/comments")
@answers_forms(refill=True)
def create_comment() -> BaseResponse:
    """Accept a comment for moderation; a no-JS form's field errors come back as a page."""
    payload = read_payload()
    try:
        return _create(payload)
    except IntegrityError:
        # Two requests with one Idempotency-Key at once: the other stored the comment
        # first, and this one's transaction (its comment with it) rolled back.
        if idempotency.key_from(request.headers) is None:
            raise
        return _create(payload)


def _create(payload: dict[str, Any]) -> BaseResponse:
    data, errors = validate(
        payload, check_deliverability=current_app.config["CHECK_EMAIL_DELIVERABILITY"]
    )
    with db().session() as session:
        key = request_key(session, scope="submit")
        if key is None:
            limit_browser_posts()
        # A site's backend sends the end user's details in the body; a browser's own count,
        # and the body's are ignored (not even checked: a page may post what it likes there).
        client, client_errors = validate_client(payload if key is not None else {})
        errors = {**errors, **client_errors}
        if key is not None:  # a program: a misspelt field is an error, not silence
            errors.update(unknown_fields(payload, (*COMMENT_FIELDS, *CLIENT_FIELDS)))
        if errors or data is None:
            raise ValidationFailed(fields=errors)
        site = session.get(Site, key.site_id) if key else sites.by_slug(session, data.site)
        if site is None:
            raise NotFound(f"There is no site {data.site!r}.", code="site_not_found")
        if key is not None and payload.get("site") not in (None, "", site.slug):
            raise Forbidden(f"This key belongs to the site {site.slug!r}.", code="site_mismatch")
        if key is None:  # a site's server may forward its browser's Origin (found in review)
            cors.refuse_foreign_origin(site)
        else:
            cors.remember(site)
        idem = idempotency.key_from(request.headers) if key is not None else None
        if idem is not None:
            print_ = idempotency.fingerprint(payload)
            if (first := idempotency.replayed(session, site, idem, print_)) is not None:
                return _replay(session, first)
        threads.require_open(session, site, data.thread)
        if data.parent and not parent_in_thread(session, site, data.thread, data.parent):
            raise ValidationFailed(fields={"parent": field_error("parent_not_found")})
        meta = _meta(payload, key, site, data, client)
        data, meta.lang = _opt_in(data)
        grant = edits.grant(_edit_window())
        if grant is not None:
            meta.edit_token_hash, meta.edit_until = grant.digest, grant.until
        accepted = store_new(session, site, data, meta)
        if idem is not None:
            idempotency.remember(session, site, idem, print_, accepted.comment.id)
    after_commit(accepted)
    return _answer(accepted, site, grant)


def _replay(session: Session, record: IdempotencyKey) -> BaseResponse:
    """Answer a retry with the first request's 202, the comment's state now and a new edit
    token, which replaces the first (only its hash was kept); a comment erased or withdrawn
    since is not stored again: its id, its state now (rejected) and no token
    (docs/integrations.md)."""
    found = session.get(Comment, record.comment_id)
    if idempotency.erased(record) or found is None:
        resp = _accepted(record.comment_id, None, found.state if found else "rejected")
    else:
        grant = edits.regrant(found) if _edit_window() else None
        # its state now: the worker or a moderator may have decided it since the first 202
        resp = _accepted(record.comment_id, grant, found.state)
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def _edit_window() -> int:
    """Return the seconds an author may edit their comment (0: not at all)."""
    return int(current_app.config["EDIT_WINDOW"])


def _opt_in(data: CommentInput) -> tuple[CommentInput, str | None]:
    """Keep an opt-in to reply notifications, with the reader's language (one of the
    catalogue's), only while mail is configured; without it the opt-in is ignored (the
    form does not offer it)."""
    if not data.notify_replies:
        return data, None
    if not mailer.configured(current_app.config):
        return dataclasses.replace(data, notify_replies=False), None
    return data, i18n.pick(data.lang)


def after_commit(accepted: Accepted) -> None:
    """Queue the stored comment (and its outbox rows); the sweep catches what fails here,
    and what is not tried because Redis already failed this request."""
    if redis_failed_in_request():
        log.warning("comment %s not queued: Redis failed this request (the sweep will)",
                    accepted.comment.id)  # fmt: skip
        return
    queue().enqueue_classify(accepted.comment.id)
    if accepted.deliveries:
        queue().enqueue_deliveries(accepted.deliveries)


def status_url(comment_id: str) -> str:
    """Return the absolute URL of a comment's status."""
    return url_for("api.get_comment", comment_id=comment_id, _external=True)


def _answer(accepted: Accepted, site: Site, grant: edits.Grant | None) -> BaseResponse:
    if wants_redirect():  # the no-JS form offers no edits: the token is not shown
        return redirect(back_url(site, cors.return_target(site), "pending"), code=303)
    return _accepted(accepted.comment.id, grant)


def _accepted(comment_id: str, grant: edits.Grant | None, status: str = "pending") -> BaseResponse:
    """The 202 of an accepted comment (the same for its idempotent replays), with the
    author's edit token while the edit window is on."""
    location = status_url(comment_id)
    body: dict[str, Any] = {"id": comment_id, "status": status, "status_url": location}
    if grant is not None:
        body.update(edit_token=grant.token, edit_until=rfc3339(grant.until))
    resp = jsonify(body)
    resp.status_code = 202
    resp.headers["Location"] = location
    return resp
