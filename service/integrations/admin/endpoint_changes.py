"""Test, change and delete a webhook endpoint from its delivery log page."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.extensions import db, queue
from service.integrations import webhook_changes as changes
from service.integrations.admin import bp
from service.integrations.admin.forms import audit, text
from service.integrations.admin.hooks import get_endpoint, render_log
from service.integrations.webhooks import EndpointError
from service.moderation import access
from service.plural import counted


def log_page(endpoint_id: int) -> BaseResponse:
    return redirect(url_for("integrations_admin.deliveries", endpoint_id=endpoint_id), code=303)


@bp.post("/endpoints/<int:endpoint_id>/ping")
@access.admin_required
def ping(endpoint_id: int) -> BaseResponse:
    """Queue a signed webhook.test to the endpoint; its result shows in the delivery log."""
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        try:
            delivery_id = changes.send_test(session, endpoint)
        except changes.EndpointDisabled as exc:
            flash(f"Not sent: {exc}", "error")
            return log_page(endpoint_id)
        audit(session, endpoint.site_id, "webhook_pinged", endpoint_id=endpoint_id,
              delivery_id=delivery_id)  # fmt: skip
    queue().enqueue_deliveries([delivery_id])  # else the worker's sweep sends it
    flash(
        f"Test event {delivery_id} queued: reload this page in a few seconds for its result.",
        "success",
    )
    return log_page(endpoint_id)


@bp.post("/endpoints/<int:endpoint_id>/update")
@access.admin_required
def update(endpoint_id: int) -> Any:
    """Change the endpoint's URL and events, checked as at creation; the secret stays."""
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        try:
            changed = changes.update_endpoint(
                endpoint,
                url=text("url"),
                events=request.form.getlist("events"),
                allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]),
            )
        except EndpointError as exc:
            session.rollback()
            return render_log(endpoint_id, {exc.field: {"code": exc.code, "message": str(exc)}})
        if changed:
            audit(session, endpoint.site_id, "webhook_updated", endpoint_id=endpoint_id,
                  changes=changed)  # fmt: skip
    flash("Endpoint updated." if changed else "Nothing changed.", "success")
    return log_page(endpoint_id)


@bp.post("/endpoints/<int:endpoint_id>/delete")
@access.admin_required
def delete(endpoint_id: int) -> BaseResponse:
    """Delete the endpoint and its log; refused while deliveries wait, unless ``force=1``."""
    force = request.form.get("force") == "1"
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        site_id, url = endpoint.site_id, endpoint.url
        try:
            dropped = changes.delete_endpoint(session, endpoint, force=force)
        except changes.DeliveriesWaiting as exc:
            flash(f"Not deleted: {exc}. Tick the box to drop them unsent.", "error")
            return log_page(endpoint_id)
        audit(session, site_id, "webhook_deleted", endpoint_id=endpoint_id, url=url,
              dropped=dropped)  # fmt: skip
    dropped_note = f"; {counted(dropped, 'unsent delivery')} dropped" if dropped else ""
    flash(f"Endpoint {url} deleted{dropped_note}.", "success")
    return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)
