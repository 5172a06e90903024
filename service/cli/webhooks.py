"""``moderato webhooks …``: a site's webhook endpoints and their delivery log.

The same operations as the admin pages, for scripts and for installations without the
dashboard. A signing secret is printed once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy.orm import Session

from service.cli.common import app_session, audit, site_named
from service.clock import rfc3339
from service.plural import counted


def _endpoint(session: Session, endpoint_id: int) -> Any:
    from service.store.tables import WebhookEndpoint

    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"there is no webhook endpoint {endpoint_id}")
    return endpoint


def _events(events: tuple[str, ...]) -> tuple[str, ...]:
    """Return the ``--event`` values; refuse ``*`` with others (it would silently mean every
    event, the others ignored)."""
    if "*" in events and len(set(events)) > 1:
        raise click.UsageError(
            "--event '*' means every event, those added later too: give it alone, or list "
            "the events you want without it"
        )
    return events


@click.group()
def webhooks() -> None:
    """A site's webhook endpoints and their delivery log."""


@webhooks.command("add")
@click.option("--site", "slug", required=True)
@click.option("--url", required=True)
@click.option(
    "--event",
    "events",
    multiple=True,
    help="repeat; default (or '*'): every event, those added later too",
)
@click.option("--json", "as_json", is_flag=True)
def webhooks_add(slug: str, url: str, events: tuple[str, ...], as_json: bool) -> None:
    """Subscribe a URL and print its secret (public addresses only, unless
    MODERATO_WEBHOOKS_ALLOW_PRIVATE=true)."""
    from flask import current_app

    from service.events import ALL_EVENTS, describe
    from service.integrations.webhooks import EndpointError, create_endpoint

    with app_session() as session:
        try:
            new = create_endpoint(
                session,
                site_named(session, slug),
                url,
                _events(events) or [ALL_EVENTS],
                allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]),
            )
        except EndpointError as exc:
            raise click.ClickException(f"{exc.field}: {exc}") from exc
        out = {
            "id": new.endpoint.id,
            "url": url,
            "events": new.endpoint.events,
            "secret": new.secret,
        }
    if as_json:
        click.echo(json.dumps(out))
    else:
        click.echo(f"endpoint {out['id']}: {url}\nevents:  {describe(new.endpoint.events)}")
        click.echo(f"secret:  {new.secret}  (verify the webhook-signature header with it)")


@webhooks.command("list")
@click.option("--site", "slug", required=True)
def webhooks_list(slug: str) -> None:
    """List a site's endpoints; disabled ones say why, and an explicit event list the
    events it does not get (a new event type is sent only to ``*`` endpoints)."""
    from service.events import describe, not_subscribed
    from service.integrations.webhooks import endpoints_of

    with app_session() as session:
        for e in endpoints_of(session, site_named(session, slug)):
            state = "enabled" if e.enabled else f"DISABLED: {e.disabled_reason}"
            failing = f", failing since {rfc3339(e.failing_since)}" if e.failing_since else ""
            missing = not_subscribed(e.events)
            also = f"  (not subscribed: {', '.join(missing)})" if missing else ""
            click.echo(f"{e.id}  {e.url}  [{describe(e.events)}]  {state}{failing}{also}")


@webhooks.command("rotate")
@click.argument("endpoint_id", type=int)
def webhooks_rotate(endpoint_id: int) -> None:
    """Give an endpoint a new secret; the old one also signs during the overlap, and so
    does every earlier one until its own overlap ends."""
    from flask import current_app

    from service.clock import utcnow
    from service.integrations.webhooks import TooManySecrets, overlap_ends, rotate_secret

    with app_session() as session:
        overlap = float(current_app.config["WEBHOOK_SECRET_OVERLAP"])
        endpoint = _endpoint(session, endpoint_id)
        try:
            secret = rotate_secret(session, endpoint, overlap)
        except TooManySecrets as exc:
            raise click.ClickException(f"not rotated: {exc}") from exc
        ends = overlap_ends(endpoint, utcnow())
    click.echo(f"new secret: {secret}\nthe previous secret signs too for {overlap:g} s")
    for until in ends[1 if overlap > 0 else 0 :]:
        click.echo(f"an earlier secret signs too until {rfc3339(until)}")


@webhooks.command("enable")
@click.argument("endpoint_id", type=int)
def webhooks_enable(endpoint_id: int) -> None:
    """Deliver to a disabled endpoint again."""
    from service import create_app
    from service.extensions import db, queue
    from service.integrations.webhooks import enable

    app = create_app()
    with app.app_context():
        with db().session() as session:
            resumed = enable(session, _endpoint(session, endpoint_id))
        queued = queue().enqueue_deliveries(resumed) if resumed else True
    verb = "is" if len(resumed) == 1 else "are"
    held = f"; {counted(len(resumed), 'delivery')} held while it was off {verb} queued"
    held = held if resumed else ""
    click.echo(f"endpoint {endpoint_id} enabled{held}")
    if not queued:
        click.echo("Redis did not answer: a running worker's sweep sends them")


@webhooks.command("disable")
@click.argument("endpoint_id", type=int)
def webhooks_disable(endpoint_id: int) -> None:
    """Stop delivering to an endpoint."""
    from service.integrations.webhooks import disable

    with app_session() as session:
        disable(_endpoint(session, endpoint_id), "disabled by an admin")
    click.echo(f"endpoint {endpoint_id} disabled")


@webhooks.command("deliveries")
@click.argument("endpoint_id", type=int)
@click.option("--limit", default=20, show_default=True)
def webhooks_deliveries(endpoint_id: int, limit: int) -> None:
    """Show an endpoint's delivery log: status, attempts, response code, latency."""
    from service.integrations import delivery_view
    from service.integrations.webhooks import deliveries_of

    with app_session() as session:
        for d in deliveries_of(session, _endpoint(session, endpoint_id), limit):
            click.echo(delivery_view.line(d))


@webhooks.command("redeliver")
@click.argument("delivery_id", required=False)
@click.option(
    "--failed-of",
    "endpoint_id",
    type=int,
    default=None,
    help="instead of one delivery: every failed delivery of this endpoint",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="with --failed-of: only deliveries created since then (UTC)",
)
def webhooks_redeliver(
    delivery_id: str | None, endpoint_id: int | None, since: datetime | None
) -> None:
    """Send a delivery again, or with --failed-of every failed delivery of an endpoint
    (after a receiver's outage), oldest first; queued for the worker."""
    from service import create_app
    from service.extensions import db, queue
    from service.integrations.webhooks import MAX_BULK_REDELIVER, redeliver, redeliver_failed
    from service.masking import masked

    if (delivery_id is None) == (endpoint_id is None):
        raise click.UsageError("give a DELIVERY_ID or --failed-of ENDPOINT_ID")
    if since is not None and endpoint_id is None:
        raise click.UsageError("--since goes with --failed-of")
    app = create_app()
    with app.app_context():
        with db().session() as session:
            disabled = False
            if endpoint_id is not None:
                endpoint = _endpoint(session, endpoint_id)
                after = since.replace(tzinfo=UTC) if since is not None else None
                ids = redeliver_failed(session, endpoint, after)
                disabled = not endpoint.enabled
                audit(session, endpoint.site_id, "webhook_redelivered",
                       endpoint_id=endpoint_id, count=len(ids))  # fmt: skip
            elif redeliver(session, delivery_id or "") is None:
                raise click.ClickException(f"there is no delivery {delivery_id!r}")
            else:
                ids = [delivery_id or ""]
        queued = queue().enqueue_deliveries(ids) if ids else True
    what = f"delivery {delivery_id}" if delivery_id else f"{counted(len(ids), 'failed delivery')}"
    if delivery_id is None and len(ids) >= MAX_BULK_REDELIVER:
        what += " (more remain failed: run it again)"
    if queued and disabled and ids:  # as the admin page says (found in review)
        click.echo(f"{what} queued, but endpoint {endpoint_id} is disabled: they wait, paused, "
                   f"until `moderato webhooks enable {endpoint_id}`")  # fmt: skip
    elif queued:
        click.echo(f"{what} queued")
    else:
        # It is marked due in the database, so it is not lost: the sweep sends it.
        wait = int(app.config["SWEEP_AGE"]) + int(app.config["SWEEP_INTERVAL"])
        click.echo(
            f"{what} marked for redelivery, but Redis at "
            f"{masked(str(app.config['REDIS_URL']))} did not answer: a running worker's sweep "
            f"sends it within about {wait} s (set REDIS_URL to queue it at once)"
        )
