"""Webhook endpoints: subscribe (secret shown once), rotate, enable/disable, log, redeliver."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.clock import utcnow
from service.errors import NotFound
from service.events import ALL_EVENTS, EVENT_TYPES
from service.extensions import db, queue
from service.integrations import webhooks
from service.integrations.admin import bp
from service.integrations.admin.forms import audit, text
from service.integrations.admin.sites import get_site, render_site
from service.moderation import access
from service.plural import counted
from service.store.tables import Site, WebhookDelivery, WebhookEndpoint


def get_endpoint(session: Any, endpoint_id: int) -> WebhookEndpoint:
    """Return the endpoint or raise 404."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("There is no such webhook endpoint.", code="endpoint_not_found")
    return endpoint


def back(endpoint: WebhookEndpoint) -> BaseResponse:
    return redirect(url_for("integrations_admin.site", site_id=endpoint.site_id), code=303)


@bp.post("/sites/<int:site_id>/endpoints")
@access.admin_required
def create_endpoint(site_id: int) -> Any:
    """Subscribe a URL to events (SSRF-checked); show its signing secret once."""
    events = [e for e in request.form.getlist("events") if e in (*EVENT_TYPES, ALL_EVENTS)]
    with db().session() as session:
        site = get_site(session, site_id)
        try:
            new = webhooks.create_endpoint(
                session,
                site,
                text("url"),
                events,
                allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]),
            )
        except webhooks.EndpointError as exc:
            session.rollback()
            return render_site(site_id, errors={exc.field: {"code": exc.code, "message": str(exc)}})
        audit(session, site_id, "webhook_added", endpoint_id=new.endpoint.id, url=new.endpoint.url)
        shown = {"kind": "signing secret", "name": new.endpoint.url, "value": new.secret}
    return render_site(site_id, secret=shown)


@bp.post("/endpoints/<int:endpoint_id>/rotate")
@access.admin_required
def rotate(endpoint_id: int) -> Any:
    """Give the endpoint a new secret (shown once); the old one signs during the overlap."""
    overlap = float(current_app.config["WEBHOOK_SECRET_OVERLAP"])
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        try:
            secret = webhooks.rotate_secret(session, endpoint, overlap)
        except webhooks.TooManySecrets as exc:
            flash(f"Not rotated: {exc}", "error")
            return back(endpoint)
        audit(session, endpoint.site_id, "webhook_secret_rotated", endpoint_id=endpoint_id)
        site_id, url = endpoint.site_id, endpoint.url
        older = len(webhooks.overlap_ends(endpoint, utcnow())) - (overlap > 0)
    also = ""
    if older:
        signs = "signs too until its" if older == 1 else "sign too until their"
        also = f" {counted(older, 'earlier secret')} {signs} own overlap ends."
    shown = {
        "kind": "new signing secret",
        "name": url,
        "value": secret,
        "note": f"The previous secret also signs for the next {overlap / 3600:g} hours.{also}",
    }
    return render_site(site_id, secret=shown)


@bp.post("/endpoints/<int:endpoint_id>/enabled")
@access.admin_required
def set_enabled(endpoint_id: int) -> BaseResponse:
    """Enable (``enabled=1``) or disable an endpoint."""
    turn_on = request.form.get("enabled") == "1"
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        resumed: list[str] = []
        if turn_on:
            resumed = webhooks.enable(session, endpoint)
        else:
            webhooks.disable(endpoint, f"disabled by {access.user().email}")
        audit(session, endpoint.site_id, "webhook_enabled" if turn_on else "webhook_disabled",
              endpoint_id=endpoint_id)  # fmt: skip
    if resumed:
        queue().enqueue_deliveries(resumed)  # else the worker's sweep sends them
    flash(
        f"Endpoint enabled; {counted(len(resumed), 'delivery')} held while it was off "
        f"{'is' if len(resumed) == 1 else 'are'} on their way."
        if resumed
        else f"Endpoint {'enabled' if turn_on else 'disabled'}.",
        "success",
    )
    return back(endpoint)


@bp.get("/endpoints/<int:endpoint_id>")
@access.admin_required
def deliveries(endpoint_id: int) -> Any:
    """Show an endpoint's delivery log: status, attempts, response code, latency."""
    return render_log(endpoint_id)


def render_log(endpoint_id: int, errors: dict[str, dict[str, str]] | None = None) -> Any:
    """Render the delivery log page, with the change form's errors (422) if any."""
    from service.integrations import delivery_view
    from service.integrations.webhook_changes import waiting_count

    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        site = session.get(Site, endpoint.site_id)
        rows = webhooks.deliveries_of(session, endpoint, limit=200)
        failed = webhooks.failed_count(session, endpoint)
        waiting = waiting_count(session, endpoint)
    page = render_template(
        "integrations_admin/endpoint.html",
        endpoint=endpoint,
        site=site,
        deliveries=rows,
        failed=failed,
        waiting=waiting,
        events=EVENT_TYPES,
        errors=errors or {},
        form=request.form if errors else {},
        note=delivery_view.note,
    )
    return (page, 422) if errors else page


@bp.post("/endpoints/<int:endpoint_id>/redeliver-failed")
@access.admin_required
def redeliver_failed(endpoint_id: int) -> BaseResponse:
    """Send every failed delivery of the endpoint again, oldest first (after an outage)."""
    with db().session() as session:
        endpoint = get_endpoint(session, endpoint_id)
        ids = webhooks.redeliver_failed(session, endpoint)
        audit(session, endpoint.site_id, "webhook_redelivered", endpoint_id=endpoint_id,
              count=len(ids))  # fmt: skip
        enabled = endpoint.enabled
    if ids:
        queue().enqueue_deliveries(ids)  # else the worker's sweep sends them
    if not ids:
        flash("No failed deliveries to send again.", "success")
    elif enabled:
        more = (
            " More remain failed: press it again."
            if len(ids) >= webhooks.MAX_BULK_REDELIVER
            else ""
        )
        flash(
            f"{counted(len(ids), 'failed delivery')} queued again, oldest first.{more}", "success"
        )
    else:
        flash(
            f"{counted(len(ids), 'delivery')} queued, but the endpoint is disabled: "
            f"{'it waits' if len(ids) == 1 else 'they wait'} until you enable it.",
            "error",
        )
    return redirect(url_for("integrations_admin.deliveries", endpoint_id=endpoint_id), code=303)


@bp.post("/deliveries/<delivery_id>/redeliver")
@access.admin_required
def redeliver(delivery_id: str) -> BaseResponse:
    """Send a delivery again: back in the outbox, due now, queued for the worker."""
    with db().session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise NotFound("There is no such delivery.", code="delivery_not_found")
        endpoint = get_endpoint(session, delivery.endpoint_id)
        webhooks.redeliver(session, delivery_id)
        audit(session, endpoint.site_id, "webhook_redelivered", delivery_id=delivery_id)
        endpoint_id, enabled = endpoint.id, endpoint.enabled
    queue().enqueue_deliveries([delivery_id])
    if enabled:
        flash(f"Delivery {delivery_id} queued again.", "success")
    else:
        flash(
            "Queued, but the endpoint is disabled: it waits until you enable the endpoint.", "error"
        )
    return redirect(url_for("integrations_admin.deliveries", endpoint_id=endpoint_id), code=303)
