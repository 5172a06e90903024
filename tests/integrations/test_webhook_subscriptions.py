"""What an endpoint is subscribed to: ``*`` (every event, those added later too) or an
explicit list, whose missing events the CLI and the admin page name."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import events
from service.status import State
from service.store import Database
from service.store.tables import Site, WebhookDelivery, WebhookEndpoint
from tests.dashboard import logged_in
from tests.factories import stored

#: What "every event" was before ``comment.edited`` existed: an endpoint created then.
OLD_LIST = [e for e in events.EVENT_TYPES if e != "comment.edited"]


def _deliveries(db: Database) -> dict[int, list[str]]:
    with db.session() as session:
        found: dict[int, list[str]] = {}
        for row in session.scalars(select(WebhookDelivery)):
            found.setdefault(row.endpoint_id, []).append(row.event_type)
        return found


def test_an_endpoint_added_for_every_event_gets_events_added_later(
    moderato: Any, db: Database
) -> None:
    """``webhooks add`` without ``--event`` subscribes to ``*``: the endpoint gets every
    event, a kind added after it was created included; an endpoint with an explicit list
    gets only what it names, and ``webhooks list`` says what it is not subscribed to;
    ``update --event '*'`` moves it to every event. Review finding: endpoints created
    with "every event" never got ``comment.edited``, and nothing said so."""
    everything = json.loads(
        moderato(
            "webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/a", "--json"
        ).output
    )
    assert everything["events"] == ["*"]
    picked = moderato(
        "webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/b",
        *[arg for event in OLD_LIST for arg in ("--event", event)], "--json",
    )  # fmt: skip
    explicit = json.loads(picked.output)["id"]
    comment = stored(db, state=State.HELD)
    with db.session() as session:
        row = session.get(type(comment), comment.id)
        for event_type in ("comment.edited", "comment.held"):
            assert events.record(session, event_type, row)
    got = _deliveries(db)
    assert "comment.edited" in got[everything["id"]] and "comment.held" in got[everything["id"]]
    assert "comment.edited" not in got[explicit] and "comment.held" in got[explicit]

    listed = moderato("webhooks", "list", "--site", "default").output.splitlines()
    assert "[all events]" in listed[0] and "not subscribed" not in listed[0]
    assert listed[1].endswith("(not subscribed: comment.edited)")
    updated = moderato("webhooks", "update", str(explicit), "--event", "*")
    assert updated.exit_code == 0 and "[all events]" in updated.output
    with db.session() as session:
        assert session.get(WebhookEndpoint, explicit).events == ["*"]  # type: ignore[union-attr]


def test_the_admin_page_offers_every_event_and_names_what_a_list_misses(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The admin page's new endpoint form offers "every event, those added later too"
    (ticked by default); the endpoint list names the events an explicit list misses."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    token = logged_in(client, db)
    with db.session() as session:
        site_id = session.scalars(select(Site.id).where(Site.slug == "default")).one()
    url = f"/moderation/integrations/sites/{site_id}"
    form = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'name="events" value="*" checked' in form
    for target, chosen in (("http://127.0.0.1:9/a", ["*"]), ("http://127.0.0.1:9/b", OLD_LIST)):
        rv = client.post(
            f"{url}/endpoints",
            data={"url": target, "events": chosen, "csrf_token": token},
            headers={"Accept": "text/html"},
        )
        assert rv.status_code == 200, rv.get_data(as_text=True)
    with db.session() as session:
        rows = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
        assert [r.events for r in rows] == [["*"], OLD_LIST]
    page = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "all events" in page and page.count("not subscribed: comment.edited") == 1
