"""Akismet-compatible endpoints: ``/1.1/verify-key``, ``comment-check``, ``submit-spam``,
``submit-ham`` and ``/1.2/usage-limit``, answering Akismet's own ``text/plain`` bodies.

The ``api_key`` is one of our site keys (``comment-check`` needs the ``submit``
scope, the feedback calls ``moderate``). A check is scored synchronously and
never enters the moderation queues; it is kept for ``CHECK_TTL`` seconds so a
``submit-spam``/``submit-ham`` call (matched by ``guid``, else by its text) can
become a label.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import redis
from flask import Response, current_app, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from service.addresses import stored_form
from service.auth import KeyIdentity, authenticate
from service.client_fields import ClientInfo, validate_client
from service.clock import utcnow
from service.errors import ApiError, RateLimited
from service.extensions import db, redis_conn
from service.integrations import bp, checks
from service.integrations.scoring import ScoringUnavailable, score
from service.policy import normalise_policy
from service.security import ip_hash
from service.store.tables import Site
from service.store.tables_integrations import Check
from service.validation import has_controls

log = logging.getLogger(__name__)

THANKS = "Thanks for making the web a better place."
GUARANTEED_SPAM = "akismet-guaranteed-spam"
TRUE_VALUES = {"1", "true", "yes", "on"}


class AkismetInvalid(Exception):
    """A call Akismet answers with ``invalid`` and a debug header."""

    def __init__(self, help_text: str) -> None:
        super().__init__(help_text)
        self.help_text = help_text


def plain(text: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """Answer ``text`` as ``text/plain``, like Akismet."""
    resp = Response(text, status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def invalid(help_text: str) -> Response:
    """Answer Akismet's ``invalid`` with the reason in ``X-akismet-debug-help``."""
    return plain("invalid", headers={"X-akismet-debug-help": help_text})


@bp.errorhandler(AkismetInvalid)
def _invalid(exc: AkismetInvalid) -> Response:
    return invalid(exc.help_text)


def form() -> dict[str, str]:
    """Return the form fields (POST body, else the query string for GET)."""
    try:
        source = request.form if request.method == "POST" else request.args
    except RequestEntityTooLarge as exc:
        raise AkismetTooLarge() from exc
    return {k: v.strip() for k, v in source.items()}


class AkismetTooLarge(Exception):
    """A form larger than ``MAX_CONTENT_LENGTH``."""


@bp.errorhandler(AkismetTooLarge)
def _too_large(exc: AkismetTooLarge) -> Response:
    return plain("The request is too large.", 413)


def site_key(session: Session, token: str | None, scope: str | None) -> tuple[KeyIdentity, Site]:
    """Return the key and its site; raise ``AkismetInvalid`` or ``RateLimited``."""
    if not token:
        raise AkismetInvalid("Missing required field: api_key.")
    try:
        key = authenticate(session, token, scope)
    except RateLimited:
        raise
    except ApiError as exc:
        raise AkismetInvalid(exc.message) from exc
    site = session.get(Site, key.site_id)
    assert site is not None
    return key, site


@bp.post("/1.1/verify-key")
def verify_key() -> Response:
    """Answer ``valid`` for a live site key (``key`` or ``api_key``) with the ``submit``
    scope and a ``blog``."""
    fields = form()
    if not fields.get("blog"):
        return invalid("Missing required field: blog.")
    with db().session() as session:
        try:
            # comment-check needs ``submit``: a read-only key passed verify-key and then
            # failed every check (found in review).
            site_key(session, fields.get("key") or fields.get("api_key"), "submit")
        except AkismetInvalid as exc:
            return invalid(exc.help_text)
    return plain("valid")


def submitted(fields: Mapping[str, str]) -> checks.Submitted:
    """Return the comment an Akismet call describes; ``invalid`` when a field holds a
    control character (a NUL was a 500, in JSON, on PostgreSQL; found in review)."""
    for name in ("comment_content", "comment_author", "comment_author_email",
                 "comment_author_url"):  # fmt: skip
        if has_controls(fields.get(name, ""), allow="\t\n\r"):
            raise AkismetInvalid(f"Invalid {name}: it contains control characters.")
    return checks.Submitted(
        text=fields.get("comment_content", "")[:65536],
        name=fields.get("comment_author", "")[:200] or None,
        # stored as the comment form stores one, so a check's author_email reads the same
        email=stored_form(fields.get("comment_author_email"))[:254] or None,
        url=fields.get("comment_author_url", "")[:2048] or None,
    )


def required(fields: Mapping[str, str]) -> ClientInfo:
    """Return the end user's details; raise ``AkismetInvalid`` without ``blog`` or ``user_ip``."""
    if not fields.get("blog"):
        raise AkismetInvalid("Missing required field: blog.")
    client, errors = validate_client(fields, require_ip=True)
    if errors:
        name, error = next(iter(errors.items()))
        if error["code"] == "required":
            raise AkismetInvalid(f"Missing required field: {name}.")
        raise AkismetInvalid(f"Invalid {name}: {error['message']}")
    return client


def verdict(fields: Mapping[str, str], spam: float, policy: Mapping[str, Any]) -> tuple[bool, bool]:
    """Return (spam?, discard?) from the documented triggers, the honeypot and the spam score."""
    if fields.get("user_role", "").lower() == "administrator":
        return False, False
    author = fields.get("comment_author", "").lower()
    email = fields.get("comment_author_email", "").lower()
    if author == GUARANTEED_SPAM or email == f"{GUARANTEED_SPAM}@example.com":
        return True, False
    honeypot = fields.get("honeypot_field_name")
    if honeypot and fields.get(honeypot):
        return True, False
    if spam >= policy["reject_above"]["spam"]:
        return True, True
    return spam >= policy["publish_below"]["spam"], False


def new_check(
    site: Site, fields: Mapping[str, str], client: ClientInfo, now: datetime, ttl: float | None
) -> Check:
    """Score a described comment and return its (unsaved) check record."""
    item = submitted(fields)
    result = score([{"text": item.text, "name": item.name, "email": item.email, "url": item.url}])
    scores = result[0]
    is_spam, discard = verdict(fields, float(scores["spam"]), normalise_policy(site.policy))
    keep = checks.expiry(ttl)
    return Check(
        id=checks.new_check_id(),
        site_id=site.id,
        source="akismet",
        fingerprint=checks.fingerprint(site.id, item),
        text=item.text,
        author_name=item.name,
        author_email=item.email,
        author_url=item.url,
        ip_hash=ip_hash(current_app.config["SECRET_KEY"], client.user_ip),
        user_agent=client.user_agent,
        permalink=client.permalink,
        comment_type=fields.get("comment_type", "")[:40] or None,
        spam=float(scores["spam"]),
        toxicity=float(scores["toxicity"]),
        verdict="discard" if discard else "spam" if is_spam else "ham",
        model_version=scores["model_version"],
        is_test=fields.get("is_test", "").lower() in TRUE_VALUES,
        created_at=now,
        expires_at=None if keep is None else now + keep,
    )


@bp.post("/1.1/comment-check")
def comment_check() -> Response:
    """Answer ``true`` (spam) or ``false``, synchronously; keep a check record for feedback."""
    fields = form()
    with db().session() as session:
        key, site = site_key(session, fields.get("api_key"), "submit")
        client = required(fields)
    # Score outside any transaction: a database write lock is never held while the models run.
    check = new_check(site, fields, client, utcnow(), float(current_app.config["CHECK_TTL"]))
    with db().session() as session:
        session.add(check)
    count_usage(key)
    headers = {"X-akismet-guid": check.id}
    if check.verdict == "discard":
        headers["X-akismet-pro-tip"] = "discard"
    return plain("false" if check.verdict == "ham" else "true", headers=headers)


#: Why feedback without a known check or any text was not recorded.
NOTHING_TO_LEARN = (
    "Not recorded: the guid is unknown or expired and there is no comment_content. Send the "
    "comment's fields (as for comment-check) or the guid of a recent comment-check."
)


def feedback(label: str) -> Response:
    """Turn a submit-spam/submit-ham call into a label on its check (made now if none is kept)."""
    fields = form()
    with db().session() as session:
        key, site = site_key(session, fields.get("api_key"), "moderate")
        client = required(fields)
        check = checks.find(session, site.id, fields.get("guid"), submitted(fields))
        if check is None:
            if not fields.get("comment_content", "").strip():
                # Nothing to learn from: an empty labelled row would only pollute the
                # labels. Akismet answers feedback with thanks whatever it does with it
                # (and its clients read "invalid" as a bad key), so say why in the header.
                return plain(THANKS, headers={"X-akismet-debug-help": NOTHING_TO_LEARN})
            check = new_check(site, fields, client, utcnow(), None)
            session.add(check)
        testing = check.is_test or fields.get("is_test", "").lower() in TRUE_VALUES
        if not testing:
            checks.label(session, check, label, source="akismet", actor=key.actor)
    return plain(THANKS)


@bp.post("/1.1/submit-spam")
def submit_spam() -> Response:
    """Record that a checked comment is spam."""
    return feedback("spam")


@bp.post("/1.1/submit-ham")
def submit_ham() -> Response:
    """Record that a checked comment is not spam."""
    return feedback("ham")


def usage_key(key: KeyIdentity) -> str:
    return f"moderato:akismet:usage:{key.prefix}:{utcnow():%Y-%m}"


def count_usage(key: KeyIdentity) -> None:
    """Count a comment-check against the key's month (best effort: Redis may be away)."""
    try:
        pipe = redis_conn().pipeline()
        pipe.incr(usage_key(key))
        pipe.expire(usage_key(key), 40 * 24 * 3600)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("akismet usage not counted: %s", exc)


@bp.get("/1.2/usage-limit")
def usage_limit() -> Response:
    """Answer this month's comment-check count; we set no limit and never throttle."""
    fields = form()
    with db().session() as session:
        key, _ = site_key(session, fields.get("api_key"), None)
    try:
        usage = int(redis_conn().get(usage_key(key)) or 0)
    except redis.RedisError:
        usage = 0
    return jsonify({"limit": "none", "usage": usage, "percentage": "0.00", "throttled": False})


@bp.errorhandler(ScoringUnavailable)
def _scoring_down(exc: ScoringUnavailable) -> Response:
    log.error("scoring unavailable: %s", exc)
    if request.path.startswith("/v1alpha1/"):
        from service.integrations.perspective import google_error

        return google_error(503, "The models are not available; try again soon.", "UNAVAILABLE")
    return plain("The models are not available; try again soon.", 503, {"Retry-After": "30"})
