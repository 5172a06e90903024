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
from tests.factories import stored

HTML = {"Accept": "text/html"}
BASE = "/moderation/integrations/endpoints"


def endpoint_of_default(db: Database, url: str = "http://127.0.0.1:9/h", **kw: Any) -> int:
    """Subscribe ``url`` for the default site to comment.received; return its id."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        events = kw.get("events", ["comment.received"])
        return create_endpoint(session, site, url, events, allow_private=True).endpoint.id


def site_id(db: Database) -> int:
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        return site.id


def test_send_a_test_event_from_the_log(app: Flask, client: FlaskClient, db: Database) -> None:
    """*Send a test event* writes a webhook.test delivery, queues its job, audits it and
    lists it in the log; its body is the documented WebhookTestEvent; a disabled endpoint's
    test is refused with the reason."""
    token = logged_in(client, db)
    endpoint_id = endpoint_of_default(db)
    for url in (f"{BASE}/{endpoint_id}", f"/moderation/integrations/sites/{site_id(db)}"):
        assert "Send a test event" in client.get(url, headers=HTML).get_data(as_text=True)
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
    assert "Send a test event" not in client.get(f"{BASE}/{endpoint_id}").get_data(as_text=True)
    client.post(f"{BASE}/{endpoint_id}/ping", data={"csrf_token": token}, headers=HTML)
    log = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert "Not sent: endpoint" in log and "410 Gone" in log
    with db.session() as session:
        assert len(session.scalars(select(WebhookDelivery)).all()) == 1


def test_change_an_endpoint_from_the_log(app: Flask, client: FlaskClient, db: Database) -> None:
    """*Save changes* sets the URL and events; a bad field (or a private address, refused
    by default as at creation) re-renders the page with the error (422) and the admin's
    input, changing nothing."""
    token = logged_in(client, db)
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    endpoint_id = endpoint_of_default(db)
    page = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert 'value="comment.received" checked' in page and "Save changes" in page
    form = {"csrf_token": token, "url": "http://127.0.0.1:9/new", "events": ["comment.held"]}
    rv = client.post(f"{BASE}/{endpoint_id}/update", data=form, headers=HTML)
    assert rv.status_code == 303
    with db.session() as session:
        row = session.get(WebhookEndpoint, endpoint_id)
        assert row is not None and (row.url, row.events) == ("http://127.0.0.1:9/new",
                                                             ["comment.held"])  # fmt: skip
        assert "webhook_updated" in session.scalars(select(AuditEntry.action)).all()
    bad = client.post(
        f"{BASE}/{endpoint_id}/update",
        data={"csrf_token": token, "url": "ftp://x.example/", "events": ["comment.held"]},
        headers=HTML,
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="url-error"' in html and 'value="ftp://x.example/"' in html
    none = client.post(
        f"{BASE}/{endpoint_id}/update",
        data={"csrf_token": token, "url": "http://127.0.0.1:9/new"},
        headers=HTML,
    )
    assert none.status_code == 422 and "subscribe to at least one event" in none.get_data(
        as_text=True
    )
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    private = client.post(
        f"{BASE}/{endpoint_id}/update",
        data={"csrf_token": token, "url": "http://127.0.0.1:8/", "events": ["comment.held"]},
        headers=HTML,
    )
    assert private.status_code == 422 and "not a public address" in private.get_data(as_text=True)
    with db.session() as session:
        row = session.get(WebhookEndpoint, endpoint_id)
        assert row is not None and row.url == "http://127.0.0.1:9/new"


def test_delete_an_endpoint_from_the_log(client: FlaskClient, db: Database) -> None:
    """*Delete endpoint* is refused while a delivery waits (the page offers to drop it);
    with the box ticked the endpoint and its log go, and the site page no longer lists it."""
    token = logged_in(client, db)
    endpoint_id = endpoint_of_default(db)
    stored(db)
    page = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert "Also drop the 1 delivery not sent yet" in page
    rv = client.post(f"{BASE}/{endpoint_id}/delete", data={"csrf_token": token}, headers=HTML)
    assert rv.status_code == 303
    log = client.get(f"{BASE}/{endpoint_id}", headers=HTML).get_data(as_text=True)
    assert "Not deleted: 1 delivery is still waiting" in log
    rv = client.post(
        f"{BASE}/{endpoint_id}/delete", data={"csrf_token": token, "force": "1"}, headers=HTML
    )
    assert rv.status_code == 303
    site_page = client.get(rv.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "1 unsent delivery dropped" in site_page and "No endpoints yet" in site_page
    with db.session() as session:
        assert session.scalars(select(WebhookDelivery)).all() == []
    assert client.get(f"{BASE}/{endpoint_id}", headers=HTML).status_code == 404
