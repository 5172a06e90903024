"""A 3xx fails a delivery with where it pointed (sanitised), and is never followed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.extensions import queue
from service.store import Database
from service.store.tables import WebhookDelivery
from tests.factories import stored
from tests.integrations.receiver import Receiver
from tests.integrations.test_webhooks_e2e import subscribe
from worker.webhooks.delivery import attempt_delivery
from worker.webhooks.retry import MAX_LOCATION, clean_location
from worker.webhooks.sending import delivery_client


def attempt(app: Flask, db: Database, receiver: Receiver) -> WebhookDelivery:
    """Make one real attempt at the endpoint's latest delivery; return the row after it."""
    subscribe(db, receiver.url, ["comment.received"])
    stored(db)
    with db.session() as session:
        (delivery,) = session.query(WebhookDelivery).all()
    config: dict[str, Any] = {**app.config, "WEBHOOKS_ALLOW_PRIVATE": True}
    with app.app_context(), delivery_client(allow_private=True) as client:
        attempt_delivery(db, delivery.id, client=client, config=config, scheduler=queue())
    with db.session() as session:
        found = session.get(WebhookDelivery, delivery.id)
        assert found is not None
        return found


def test_a_redirect_fails_with_its_location_and_is_not_followed(
    app: Flask, db: Database, receiver: Receiver
) -> None:
    """A 302 fails at once; the error names the Location and says redirects are not
    followed; the receiver saw one request (the redirect's target none)."""
    receiver.answer((302, {"Location": "https://new.example/hooks/moderato?v=2"}))
    delivery = attempt(app, db, receiver)
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)
    assert delivery.last_error == (
        "HTTP 302 to https://new.example/hooks/moderato?v=2 "
        "(redirects are not followed: set the endpoint's URL to it)"
    )
    assert len(receiver.received) == 1


def test_a_redirect_without_location_says_so(app: Flask, db: Database, receiver: Receiver) -> None:
    """A 3xx with no Location still fails with a clear error."""
    receiver.answer((307, {}))
    assert attempt(app, db, receiver).last_error.startswith("HTTP 307 without a Location")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("https://a.example/x\x1b[31mred", "https://a.example/x[31mred"),
        ("https://a.example/\u202eevil", "https://a.example/evil"),
        ("https://user:hunter2@a.example/p", "https://user:***@a.example/p"),
        ("/relative/path", "/relative/path"),
    ],
)
def test_location_is_sanitised(raw: str, shown: str) -> None:
    """Control and bidi characters are dropped and a password is masked."""
    assert clean_location(raw) == shown


def test_a_long_location_is_cut() -> None:
    """A Location longer than MAX_LOCATION is cut, with an ellipsis."""
    cut = clean_location("https://a.example/" + "x" * 1000)
    assert len(cut) == MAX_LOCATION and cut.endswith("…")
