"""Test, change and delete a webhook endpoint from its delivery log page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.extensions import db, queue
from service.integrations import webhook_changes as changes
from service.integrations.admin import bp
from service.integrations.admin.forms import audit
from service.integrations.admin.hooks import get_endpoint
from service.moderation import access


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
