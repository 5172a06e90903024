"""``moderato webhooks ping|update|delete``: test, change and remove an endpoint."""

from __future__ import annotations

import time

import click

from service.cli.common import audit
from service.cli.webhooks import _endpoint, webhooks


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
