"""Admin page for commenters' data requests: find an address, download its data, erase it.

The same operations as ``moderato comments export|erase`` (``service/privacy.py``), for
newsroom staff without a shell. Admins only: an erasure covers every site. The address
travels in POST bodies only, never in a URL (browser history, proxy logs).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service import privacy
from service.extensions import db, queue
from service.moderation import access, bp
from service.moderation.nav import add_nav_item
from service.plural import counted

add_nav_item("Privacy", "moderation.privacy_page", admin_only=True, order=70)

EXCERPT = 140
#: Comments one erasure from the dashboard may cover; beyond, the page points to the CLI
#: (an erasure is one transaction: thousands of comments outlast a web request and hold
#: the database's write lock meanwhile; found in review).
DASHBOARD_MAX = 500


def _lookup(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    """Return what is kept about the address (or None), and an error."""
    if not raw.strip():
        return None, None
    try:
        with db().session() as dbs:
            return privacy.export(dbs, raw), None
    except ValueError:
        return None, "Enter the e-mail address the commenter used."


def _page(email: str = "", found: dict[str, Any] | None = None, error: str | None = None) -> Any:
    page = render_template(
        "moderation/privacy.html",
        email=email,
        found=found,
        error=error,
        excerpt=EXCERPT,
        dashboard_max=DASHBOARD_MAX,
        counted=counted,
    )
    return page, 422 if error else 200


@bp.get("/privacy")
@access.admin_required
def privacy_page() -> Any:
    """Show the lookup form."""
    return _page()


@bp.post("/privacy")
@access.admin_required
def privacy_lookup() -> Any:
    """Find everything kept about an e-mail address; offer the download and the erasure."""
    email = request.form.get("email", "")
    found, error = _lookup(email)
    return _page(email, found, error)


@bp.post("/privacy/export")
@access.admin_required
def privacy_export() -> BaseResponse:
    """Download what is kept about an address as JSON (the access request's answer)."""
    found, error = _lookup(request.form.get("email", ""))
    if found is None:
        flash(error or "Enter an e-mail address.", "error")
        return redirect(url_for("moderation.privacy_page"), code=303)
    with db().session() as dbs:
        privacy.audit_export(dbs, found, access.actor())
    resp = Response(json.dumps(found, indent=2, ensure_ascii=False), mimetype="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="moderato-data-export.json"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/privacy/erase")
@access.admin_required
def privacy_erase() -> Any:
    """Erase an address's comments and check records, once the admin has confirmed."""
    email = request.form.get("email", "")
    found, error = _lookup(email)
    if found is not None and request.form.get("confirm") != "yes":
        return _page(email, found, "Tick the box to confirm: it cannot be undone.")
    if found is None:
        return _page(email, None, error or "Enter the e-mail address the commenter used.")
    if len(found["comments"]) > DASHBOARD_MAX:
        return _page(email, found, f"Over {DASHBOARD_MAX} comments: run `moderato comments "
                     "erase --email …` on the server instead.")  # fmt: skip
    try:
        done, conflict = privacy.erase_in_batches(db(), email, access.actor()), None
    except privacy.ErasureConflict as exc:  # the rest is erased, and recorded
        assert exc.done is not None
        done, conflict = exc.done, exc
    privacy.checkpoint(db())
    if done.deliveries and not queue().enqueue_deliveries(done.deliveries):
        flash("Redis did not answer: the worker's sweep sends the take-down webhooks.", "info")
    flash(
        f"Erased {counted(done.comments, 'comment')} ({done.taken_down} taken down), "
        f"{counted(done.checks, 'check record')} and "
        f"{counted(done.subscriptions, 'reply-notification subscription')}.",
        "success",
    )
    if conflict is not None:
        flash(
            f"{counted(done.remaining, 'comment')} kept changing while they were erased (a "
            "moderator or the classifier acting on them) and are not erased yet: erase again.",
            "error",
        )
    return redirect(url_for("moderation.privacy_page"), code=303)
