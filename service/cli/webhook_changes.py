"""``moderato webhooks ping|update|delete``: test, change and remove an endpoint."""

from __future__ import annotations

import time

import click

from service.cli.common import app_session, audit
from service.cli.webhooks import _endpoint, _events, webhooks
from service.plural import counted


@webhooks.command("ping")
@click.argument("endpoint_id", type=int)
@click.option(
    "--wait",
    default=15.0,
    show_default=True,
    help="seconds to wait for the first attempt's result (0: only queue it)",
)
def webhooks_ping(endpoint_id: int, wait: float) -> None:
    """Send the endpoint a signed webhook.test event through the outbox, and show how its
    first attempt went (as `webhooks deliveries` does). Exits non-zero unless delivered."""
    from service import create_app
    from service.extensions import db, queue
    from service.integrations import delivery_view
    from service.integrations.webhook_changes import EndpointDisabled, send_test
    from service.store.tables import WebhookDelivery

    app = create_app()
    with app.app_context():
        with db().session() as session:
            endpoint = _endpoint(session, endpoint_id)
            try:
                delivery_id = send_test(session, endpoint)
            except EndpointDisabled as exc:
                raise click.ClickException(f"not sent: {exc}") from exc
            audit(session, endpoint.site_id, "webhook_pinged", endpoint_id=endpoint_id,
                  delivery_id=delivery_id)  # fmt: skip
        queued = queue().enqueue_deliveries([delivery_id])
        click.echo(f"test event {delivery_id} queued for endpoint {endpoint_id}")
        if not queued:
            click.echo("Redis did not answer: a running worker's sweep sends it")
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            with db().session() as session:
                row = session.get(WebhookDelivery, delivery_id)
                assert row is not None
                if row.attempts or row.status != "pending" or time.monotonic() >= deadline:
                    break
            time.sleep(0.2)
    if wait <= 0:
        return
    click.echo(delivery_view.line(row))
    if row.status == "delivered":
        return
    if not row.attempts and row.status == "pending":
        raise click.ClickException(
            f"no attempt within {wait:g} s: is a worker running? Its result will be in "
            f"`moderato webhooks deliveries {endpoint_id}`"
        )
    raise click.ClickException(
        "the receiver did not accept it"
        + (" (it is retried like any delivery)" if row.status == "pending" else "")
    )


@webhooks.command("update")
@click.argument("endpoint_id", type=int)
@click.option("--url", default=None, help="the new URL (checked as `add` checks it)")
@click.option(
    "--event", "events", multiple=True, help="repeat; replaces the events ('*': every event)"
)
def webhooks_update(endpoint_id: int, url: str | None, events: tuple[str, ...]) -> None:
    """Change an endpoint's URL and/or events; its secret stays. Deliveries already queued
    go to the new URL."""
    from flask import current_app

    from service.events import describe
    from service.integrations.webhook_changes import update_endpoint
    from service.integrations.webhooks import EndpointError

    if url is None and not events:
        raise click.UsageError("give --url and/or --event")
    with app_session() as session:
        endpoint = _endpoint(session, endpoint_id)
        try:
            changed = update_endpoint(
                endpoint,
                url=url,
                events=_events(events) or None,
                allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]),
            )
        except EndpointError as exc:
            raise click.ClickException(f"{exc.field}: {exc}") from exc
        if changed:
            audit(session, endpoint.site_id, "webhook_updated", endpoint_id=endpoint_id,
                  changes=changed)  # fmt: skip
        now = f"{endpoint.url}  [{describe(endpoint.events)}]"
    click.echo(f"endpoint {endpoint_id} {'updated' if changed else 'unchanged'}: {now}")


@webhooks.command("delete")
@click.argument("endpoint_id", type=int)
@click.option("--force", is_flag=True, help="delete it even if deliveries wait to be sent")
def webhooks_delete(endpoint_id: int, force: bool) -> None:
    """Delete an endpoint and its delivery log. Refused while deliveries are pending or
    paused, unless --force, which drops them unsent."""
    from service.integrations.webhook_changes import DeliveriesWaiting, delete_endpoint

    with app_session() as session:
        endpoint = _endpoint(session, endpoint_id)
        site_id, url = endpoint.site_id, endpoint.url
        try:
            dropped = delete_endpoint(session, endpoint, force=force)
        except DeliveriesWaiting as exc:
            raise click.ClickException(
                f"not deleted: {exc} (`webhooks deliveries {endpoint_id}` lists them); "
                "--force drops them unsent"
            ) from exc
        audit(session, site_id, "webhook_deleted", endpoint_id=endpoint_id, url=url,
              dropped=dropped)  # fmt: skip
    dropped_note = f"; {counted(dropped, 'unsent delivery')} dropped" if dropped else ""
    click.echo(f"endpoint {endpoint_id} deleted{dropped_note}")
