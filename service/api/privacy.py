"""``POST /api/v1/privacy/export`` and ``POST /api/v1/privacy/erase``: a site's server
answers its commenters' data requests (GDPR articles 15 and 17) for its own site, with a
key of the ``privacy`` scope (``service/privacy/``; docs/integrations.md, "Privacy
requests").

The address travels in the JSON body, never in a URL (access logs, proxies), and is
matched as the dashboard matches it (trimmed, any case). Both act on the key's site only:
its comments, check records, bans and reply-notification subscriptions. Bans on every site
and their history are the installation's, not the site's: neither listed nor rewritten
(the operator answers for them with ``moderato comments …`` without ``--site``).

An erasure is idempotent: a retry erases what still carries the address (nothing, after a
complete run) and answers its own counts with ``complete``. At most ``MAX_COMMENTS``
comments are erased per request (in the CLI's batches, so the comment form is not kept
waiting behind SQLite's one writer); the answer says how many remain, and the caller
repeats the request until ``complete`` is true. A comment that keeps changing under the
erasure (``privacy.ErasureConflict``) is left for the next request too, but the answer
is ``409 erasure_conflict`` with ``Retry-After`` (the rest is erased and recorded all
the same): an error, so that a client that reads the status alone still sends it again.
Each request writes its audit entry (``privacy_export`` or ``privacy_erase``, counts only,
by ``key:<prefix>``). After an erasure, SQLite's write-ahead log is checkpointed
(``privacy.checkpoint``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from werkzeug.wrappers import Response as BaseResponse

from service import privacy
from service.api import bp
from service.api.body import read_payload
from service.auth import KeyIdentity, request_key
from service.errors import Conflict, KeyUnauthorized, NotFound, ValidationFailed
from service.extensions import db, queue
from service.store.tables import Site
from service.validation import field_error, has_controls

SCOPE = "privacy"
#: Seconds a client waits before it sends an erasure again that lost races (a guess: the
#: worker decides a comment in well under a second).
RETRY_AFTER = 1
#: Comments one erasure request erases; about 3 s on SQLite (docs/deploy.md's figures).
MAX_COMMENTS = 500
FIELDS = ("email",)


def _email(payload: dict[str, Any]) -> str:
    """Return the normalised address of the body, or raise 422 naming the bad fields."""
    errors: dict[str, dict[str, str]] = {
        name: {"code": "unknown_field", "message": "This field is not read: send email only."}
        for name in payload
        if name not in FIELDS
    }
    raw = payload.get("email")
    email = ""
    if raw is None or raw == "":
        errors["email"] = field_error("required")
    elif not isinstance(raw, str):
        errors["email"] = field_error("invalid_type")
    elif has_controls(raw):  # a NUL was a 500 on PostgreSQL elsewhere
        errors["email"] = field_error("control_characters")
    else:
        try:
            email = privacy.normalise(raw)
        except ValueError:
            errors["email"] = field_error("invalid_email")
    if errors:
        raise ValidationFailed(fields=errors)
    return email


def _key_site(session: Any) -> tuple[KeyIdentity, Site]:
    """The request's ``privacy`` key and its site (401 without a key, 403 without the
    scope, 429 over its rate limit)."""
    key = request_key(session, scope=SCOPE)
    if key is None:
        raise KeyUnauthorized("Send a site key with the privacy scope.", code="unauthorized")
    site = session.get(Site, key.site_id)
    if site is None:  # pragma: no cover - a key's site cascades with it
        raise NotFound("There is no such site.", code="site_not_found")
    return key, site


def _json(body: dict[str, Any]) -> Response:
    """The answer, never kept by a cache (it names a person)."""
    resp = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _kept_changing(done: privacy.Erasure) -> Conflict:
    """The answer to an erasure some comments escaped by changing under it each time it
    tried (a moderator or the worker acting on them): 409 with ``Retry-After``, saying what
    was erased (committed, and in the audit entry) and what remains for the next request."""
    return Conflict(
        f"Some of the address's comments kept changing while they were erased (a moderator "
        f"or the classifier acting on them): {done.comments} erased, {done.remaining} "
        "remaining. Send the same request again.",
        code="erasure_conflict",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


@bp.post("/privacy/export")
def privacy_export() -> BaseResponse:
    """Return everything the key's site keeps about an e-mail address (the CLI's and the
    dashboard's export, limited to the site)."""
    payload = read_payload(json_only=True)  # as documented: a form is a 415
    with db().session() as session:
        key, site = _key_site(session)
        email = _email(payload)
        found = privacy.export(session, email, site, own_rows_only=True)
        privacy.audit_export(session, found, key.actor, site)
    return _json(found)


@bp.post("/privacy/erase")
def privacy_erase() -> BaseResponse:
    """Take down and erase what the key's site keeps about an e-mail address; answer the
    counts, and whether anything remains for another request."""
    payload = read_payload(json_only=True)  # as documented: a form is a 415
    with db().session() as session:
        key, site = _key_site(session)
        email = _email(payload)
        slug = site.slug
    conflict: privacy.ErasureConflict | None = None
    try:
        done = privacy.erase_in_batches(
            db(), email, key.actor, slug, limit=MAX_COMMENTS, own_rows_only=True
        )
    except privacy.ErasureConflict as exc:
        assert exc.done is not None  # erase_in_batches says what it did
        done, conflict = exc.done, exc
    if done.deliveries:
        queue().enqueue_deliveries(done.deliveries)  # else the worker's sweep sends them
    privacy.checkpoint(db())
    if conflict is not None:
        raise _kept_changing(done) from conflict
    return _json(
        {
            "site": slug,
            "complete": done.remaining == 0,
            "erased": {
                "comments": done.comments,
                "taken_down": done.taken_down,
                "checks": done.checks,
                "reply_notifications": done.subscriptions,
            },
            "remaining": {"comments": done.remaining},
        }
    )
