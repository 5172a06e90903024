"""Every paused delivery says its endpoint is disabled, however it came to be paused."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.extensions import queue
from service.integrations.delivery_view import PAUSED_NOTE
from service.store import Database
from service.store.tables import WebhookDelivery
from tests.dashboard import logged_in
from tests.factories import stored
from tests.integrations.test_webhooks_e2e import subscribe
from worker.webhooks.delivery import attempt_delivery
from worker.webhooks.sending import delivery_client


def ids_by_age(db: Database) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.created_at))
        )


def test_every_paused_row_shows_the_disabled_note(
    app: Flask, client: FlaskClient, db: Database, moderato: Any
) -> None:
    """A delivery paused by the worker (queued before the endpoint was disabled) and one
    written paused (an event while it was off; before the fix it had no note) both carry
    the note in `webhooks deliveries` and the log page; after `enable` neither does."""
    endpoint_id, _ = subscribe(db, "http://127.0.0.1:9/hooks", ["comment.received"])
    stored(db)  # pending, queued before the endpoint goes off
    assert moderato("webhooks", "disable", str(endpoint_id)).exit_code == 0
    stored(db)  # written paused
    first, second = ids_by_age(db)
    config = {**app.config, "WEBHOOKS_ALLOW_PRIVATE": True}
    with app.app_context(), delivery_client(allow_private=True) as http:
        outcome = attempt_delivery(db, first, client=http, config=config, scheduler=queue())
    assert outcome == "paused"
    lines = moderato("webhooks", "deliveries", str(endpoint_id)).output.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert "  paused  " in line and line.endswith(PAUSED_NOTE), line
    logged_in(client, db)
    page = client.get(f"/moderation/integrations/endpoints/{endpoint_id}").get_data(as_text=True)
    assert page.count(PAUSED_NOTE) == 2
    with db.session() as session:  # a row paused before the fix kept the note as its error
        legacy = session.get(WebhookDelivery, second)
        assert legacy is not None
        legacy.last_error = PAUSED_NOTE
    assert moderato("webhooks", "enable", str(endpoint_id)).exit_code == 0
    lines = moderato("webhooks", "deliveries", str(endpoint_id)).output.splitlines()
    assert all("  pending  " in line and PAUSED_NOTE not in line for line in lines), lines


def test_a_paused_row_keeps_its_last_error_after_the_note(db: Database, moderato: Any) -> None:
    """A delivery that had failed an attempt before its endpoint was disabled shows the
    note and then its last error (pausing no longer overwrites it)."""
    endpoint_id, _ = subscribe(db, "http://127.0.0.1:9/hooks", ["comment.received"])
    assert moderato("webhooks", "disable", str(endpoint_id)).exit_code == 0
    stored(db)
    with db.session() as session:
        row = session.scalars(select(WebhookDelivery)).one()
        row.attempts, row.last_status_code, row.last_error = 1, 503, "HTTP 503"
    (line,) = moderato("webhooks", "deliveries", str(endpoint_id)).output.splitlines()
    assert line.endswith(f"{PAUSED_NOTE}; last: HTTP 503"), line
