"""Admin page for commenters' data requests: find an address, download its data, erase it.

The same operations as ``moderato comments export|erase`` (``service/privacy.py``), for
newsroom staff without a shell. Admins only: an erasure covers every site.
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
from service.store.tables import AuditEntry

add_nav_item("Privacy", "moderation.privacy_page", admin_only=True, order=70)

EXCERPT = 140


def _lookup(raw: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Return the address as typed, what is kept about it (or None), and an error."""
    if not raw.strip():
        return raw, None, None
    try:
        with db().session() as dbs:
            return raw, privacy.export(dbs, raw), None
    except ValueError:
        return raw, None, "Enter the e-mail address the commenter used."


@bp.get("/privacy")
@access.admin_required
def privacy_page() -> tuple[str, int]:
    """Find everything kept about an e-mail address; offer the download and the erasure."""
    email, found, error = _lookup(request.args.get("email", ""))
    page = render_template(
        "moderation/privacy.html", email=email, found=found, error=error, excerpt=EXCERPT
    )
    return page, 422 if error else 200


@bp.get("/privacy/export")
@access.admin_required
def privacy_export() -> BaseResponse:
    """Download what is kept about an address as JSON (the access request's answer)."""
    _, found, error = _lookup(request.args.get("email", ""))
    if found is None:
        flash(error or "Enter an e-mail address.", "error")
        return redirect(url_for("moderation.privacy_page"), code=303)
    with db().session() as dbs:
        dbs.add(
            AuditEntry(
                actor=access.actor(),
                action="privacy_export",
                details={"comments": len(found["comments"]), "checks": len(found["checks"])},
            )
        )
    resp = Response(json.dumps(found, indent=2, ensure_ascii=False), mimetype="application/json")
    resp.headers["Content-Disposition"] = 'attachment; filename="moderato-data-export.json"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/privacy/erase")
@access.admin_required
def privacy_erase() -> BaseResponse:
    """Erase an address's comments and check records, once the admin has confirmed."""
    email = request.form.get("email", "")
    back = redirect(url_for("moderation.privacy_page", email=email), code=303)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm the erasure: it cannot be undone.", "error")
        return back
    try:
        with db().session() as dbs:
            done = privacy.erase(dbs, email, access.actor())
    except ValueError:
        flash("Enter the e-mail address the commenter used.", "error")
        return back
    if done.deliveries and not queue().enqueue_deliveries(done.deliveries):
        flash("Redis did not answer: the worker's sweep sends the take-down webhooks.", "info")
    flash(
        f"Erased {done.comments} comment(s) ({done.taken_down} taken down) and "
        f"{done.checks} check record(s).",
        "success",
    )
    return back
