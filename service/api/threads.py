"""``/api/v1/threads?site=S&thread=T``: a thread's settings, read and changed by a site's
server (a key with the ``moderate`` scope): close it to new comments, reopen it, or give
it a moderation mode of its own (``service/threads.py``). The thread travels as a query
parameter, as everywhere in the API (contract: never a path segment)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from service import threads
from service.api import bp
from service.api.body import read_payload
from service.auth import KeyIdentity, request_key
from service.clock import rfc3339
from service.errors import Forbidden, KeyUnauthorized, NotFound, ValidationFailed
from service.extensions import db
from service.store.tables import Site
from service.validation import thread_error


def _thread() -> str:
    thread = request.args.get("thread", "").strip()
    if problem := thread_error(thread):
        raise ValidationFailed(fields={"thread": problem})
    return thread


def view(site: Site, thread: str, now: threads.ThreadState) -> dict[str, Any]:
    """The thread's settings and what they mean now."""
    return {
        "site": site.slug,
        "thread": thread,
        "closed": now.closed,
        "closed_by": now.closed_by,
        "message": now.message,
        "setting": {True: "closed", False: "open", None: "site"}[now.setting],
        "mode": now.mode,
        "closes_at": rfc3339(now.closes_at) if now.closes_at else None,
    }


def _key_site(session: Any) -> tuple[KeyIdentity, Site]:
    """The request's ``moderate`` key and its site (401 without one; 403 for another site)."""
    key = request_key(session, scope="moderate")
    if key is None:
        raise KeyUnauthorized("Send a site key with the moderate scope.", code="unauthorized")
    site = session.get(Site, key.site_id)
    if site is None:  # pragma: no cover - a key's site cascades with it
        raise NotFound("There is no such site.", code="site_not_found")
    if request.args.get("site") not in (None, "", site.slug):
        raise Forbidden(f"This key belongs to the site {site.slug!r}.", code="site_mismatch")
    return key, site


@bp.get("/threads")
def get_thread() -> Response:
    """Return a thread's settings (a ``moderate`` key of its site)."""
    thread = _thread()
    with db().session() as session:
        _, site = _key_site(session)
        return jsonify(view(site, thread, threads.state(session, site, thread)))


@bp.put("/threads")
def put_thread() -> Response:
    """Change a thread's settings: ``{"closed": true|false|null, "message": "…"|null,
    "mode": "pre"|"post"|"auto"|null}``, each optional, as JSON (a form cannot say true or
    null: 415); answers the new settings."""
    payload = read_payload(json_only=True)
    thread = _thread()
    with db().session() as session:
        key, site = _key_site(session)
        given = threads.validate_settings(payload)
        now = threads.update(session, site, thread, key.actor, **given)
        return jsonify(view(site, thread, now))
