"""The delivery log page tests, changes and deletes its endpoint (admins, with CSRF)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from sqlalchemy import select

from service import sites as site_ops
from service.integrations.webhooks import create_endpoint
from service.store import Database
from service.store.tables import AuditEntry, WebhookDelivery, WebhookEndpoint
from tests.dashboard import logged_in

HTML = {"Accept": "text/html"}
BASE = "/moderation/integrations/endpoints"


def endpoint_of_default(db: Database, url: str = "http://127.0.0.1:9/h", **kw: Any) -> int:
    """Subscribe ``url`` for the default site to comment.received; return its id."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        events = kw.get("events", ["comment.received"])
        return create_endpoint(session, site, url, events, allow_private=True).endpoint.id


def test_send_a_test_event_from_the_log(app: Flask, client: FlaskClient, db: Database) -> None:
    """*Send a test event* writes a webhook.test delivery, queues its job, audits it and
    lists it in the log; its body is the documented WebhookTestEvent; a disabled endpoint's
    test is refused with the reason."""
    token = logged_in(client, db)
    endpoint_id = endpoint_of_default(db)
    page = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert "Send a test event" in page
    rv = client.post(f"{BASE}/{endpoint_id}/ping", data={"csrf_token": token}, headers=HTML)
    assert rv.status_code == 303
    with db.session() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        audited = session.scalars(select(AuditEntry.action)).all()
    assert (delivery.event_type, delivery.status) == ("webhook.test", "pending")
    assert "webhook_pinged" in audited
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert f"deliver-{delivery.id}" in queue.get_job_ids()
    log = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert f"Test event {delivery.id} queued" in log and "webhook.test" in log
    doc = client.get("/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/WebhookTestEvent", "components": doc["components"]}
    jsonschema.validate(json.loads(delivery.payload), schema)
    assert "webhook.test" in doc["webhooks"]
    with db.session() as session:
        found = session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        found.enabled, found.disabled_reason = False, "the receiver answered 410 Gone"
    client.post(f"{BASE}/{endpoint_id}/ping", data={"csrf_token": token}, headers=HTML)
    log = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert "Not sent: endpoint" in log and "410 Gone" in log
    with db.session() as session:
        assert len(session.scalars(select(WebhookDelivery)).all()) == 1
