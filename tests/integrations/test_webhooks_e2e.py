"""Webhooks end to end: a real worker process delivers to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from standardwebhooks import Webhook

from service import sites as site_ops
from service.clock import utcnow
from service.extensions import queue
from service.integrations.webhooks import create_endpoint, redeliver
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from tests.conftest import worker_env
from tests.factories import post, stored
from tests.helpers import wait_for
from tests.integrations.receiver import Receiver
from tests.test_cli import MODERATO

pytestmark = pytest.mark.slow

WORKER = {"WEBHOOKS_ALLOW_PRIVATE": True, "WEBHOOK_RETRY_BASE": 0.5, "WEBHOOK_RETRY_FACTOR": 1.0}


def subscribe(db: Database, url: str, events: list[str]) -> tuple[int, str]:
    """Subscribe ``url`` for the default site; return the endpoint id and its secret."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        new = create_endpoint(session, site, url, events, allow_private=True)
        return new.endpoint.id, new.secret


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.session() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def endpoint(db: Database, endpoint_id: int) -> WebhookEndpoint:
    with db.session() as session:
        found = session.get(WebhookEndpoint, endpoint_id)
        assert found is not None
        return found


def test_events_are_delivered_signed_and_without_email(
    client: FlaskClient, db: Database, receiver: Receiver, start_worker: Callable[..., Any]
) -> None:
    """A published comment yields signed comment.received and comment.published posts, no e-mail."""
    _, secret = subscribe(db, receiver.url, ["comment.received", "comment.published"])
    start_worker(extra=WORKER)
    rv = post(client, thread="hooks", email="private-person@example.org")
    assert rv.status_code == 202
    wait_for(lambda: len(receiver.received) >= 2, timeout=20)
    types = []
    for got in receiver.received:
        payload = Webhook(secret).verify(got.body, got.headers)
        assert payload["data"]["id"] == rv.get_json()["id"]
        assert b"private-person" not in got.body
        types.append(payload["type"])
    assert sorted(types) == ["comment.published", "comment.received"]
    # The receiver logs a post before it answers; the worker records it after the answer.
    wait_for(lambda: all(d.status == "delivered" for d in deliveries(db)), timeout=10)


def test_failing_receiver_gets_retries_until_it_succeeds(
    client: FlaskClient, db: Database, receiver: Receiver, start_worker: Callable[..., Any]
) -> None:
    """A receiver failing twice (500, then a dropped 503) gets the same message a third time."""
    subscribe(db, receiver.url, ["comment.received"])
    receiver.answer((500, {}), (503, {}))
    start_worker(extra=WORKER)
    post(client, thread="hooks-retry")
    wait_for(lambda: [d.status for d in deliveries(db)] == ["delivered"], timeout=30)
    (delivery,) = deliveries(db)
    assert delivery.attempts == 3
    assert len(receiver.received) == 3
    assert len({got.headers["Webhook-Id"] for got in receiver.received}) == 1


def test_retry_after_from_the_receiver_is_honoured(
    client: FlaskClient, db: Database, receiver: Receiver, start_worker: Callable[..., Any]
) -> None:
    """After a 429 with Retry-After: 3 the next attempt comes no sooner than the receiver asked."""
    subscribe(db, receiver.url, ["comment.received"])
    receiver.answer((429, {"Retry-After": "3"}))
    start_worker(extra=WORKER)
    post(client, thread="hooks-429")
    wait_for(lambda: [d.status for d in deliveries(db)] == ["delivered"], timeout=30)
    first, second = receiver.received
    # The worker stamps each attempt when it starts it; the retry may not start before
    # first + 3 s, and the stamps are whole seconds, so they differ by at least 2.
    stamps = [int(got.headers["Webhook-Timestamp"]) for got in (first, second)]
    assert stamps[1] - stamps[0] >= 2


def test_410_disables_the_endpoint_and_its_events_wait_until_it_is_enabled(
    client: FlaskClient,
    db: Database,
    receiver: Receiver,
    start_worker: Callable[..., Any],
    settings: dict[str, Any],
) -> None:
    """A 410 Gone disables the endpoint (reason shown); later events are kept, paused, and
    sent when the endpoint is enabled again, with nothing sent meanwhile (they were not
    recorded at all, so `enable` + `redeliver` could not send what the receiver missed;
    found in review)."""
    endpoint_id, _ = subscribe(db, receiver.url, ["comment.received"])
    receiver.default = (410, {})
    start_worker(extra=WORKER)
    post(client, thread="hooks-gone")
    wait_for(lambda: not endpoint(db, endpoint_id).enabled, timeout=20)
    assert "410" in (endpoint(db, endpoint_id).disabled_reason or "")
    post(client, thread="hooks-gone")
    assert sorted(d.status for d in deliveries(db)) == ["failed", "paused"]
    time.sleep(1)
    assert len(receiver.received) == 1

    receiver.default = (204, {})
    result = subprocess.run(
        [MODERATO, "webhooks", "enable", str(endpoint_id)],
        env=worker_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "1 delivery held while it was off is queued" in result.stdout
    wait_for(
        lambda: sorted(d.status for d in deliveries(db)) == ["delivered", "failed"], timeout=20
    )
    assert len(receiver.received) == 2


def test_manual_redelivery_sends_a_failed_delivery_again(
    app: Flask,
    client: FlaskClient,
    db: Database,
    receiver: Receiver,
    start_worker: Callable[..., Any],
) -> None:
    """A delivery that failed on a 404 is delivered after the receiver is fixed and it is redelivered."""
    subscribe(db, receiver.url, ["comment.received"])
    receiver.answer((404, {}))
    start_worker(extra=WORKER)
    post(client, thread="hooks-redeliver")
    wait_for(lambda: [d.status for d in deliveries(db)] == ["failed"], timeout=20)
    (failed,) = deliveries(db)
    with db.session() as session:
        assert redeliver(session, failed.id) is not None
    with app.app_context():
        queue().enqueue_deliveries([failed.id])
    wait_for(lambda: [d.status for d in deliveries(db)] == ["delivered"], timeout=20)
    assert [got.headers["Webhook-Id"] for got in receiver.received] == [failed.id, failed.id]


def test_sweep_delivers_an_outbox_row_whose_job_was_lost(
    db: Database, receiver: Receiver, start_worker: Callable[..., Any]
) -> None:
    """An overdue pending delivery with no job in Redis is queued by the sweep and delivered."""
    subscribe(db, receiver.url, ["comment.received"])
    stored(db, thread="hooks-lost")  # writes the outbox row, enqueues nothing
    with db.session() as session:
        for delivery in session.scalars(select(WebhookDelivery)):
            delivery.next_attempt_at = utcnow() - timedelta(seconds=30)
    start_worker(extra=WORKER)
    wait_for(lambda: [d.status for d in deliveries(db)] == ["delivered"], timeout=20)
    assert json.loads(receiver.received[0].body)["type"] == "comment.received"


def test_every_failed_delivery_of_an_endpoint_is_sent_again_in_one_command(
    db: Database,
    client: FlaskClient,
    receiver: Receiver,
    start_worker: Callable[..., Any],
    settings: dict[str, Any],
) -> None:
    """After a receiver's outage, `webhooks redeliver --failed-of N` sends every failed
    delivery again (one command, not one per delivery); `--since` after them finds none."""
    endpoint_id, _ = subscribe(db, receiver.url, ["comment.received"])
    receiver.default = (404, {})
    start_worker(extra=WORKER)
    for n in range(3):
        post(client, thread=f"hooks-outage-{n}")
    wait_for(lambda: [d.status for d in deliveries(db)] == ["failed"] * 3, timeout=30)
    failed = [d.id for d in deliveries(db)]
    receiver.default = (204, {})

    def moderato(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MODERATO, "webhooks", "redeliver", *args],
            env=worker_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
        )

    later = (utcnow() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    none = moderato("--failed-of", str(endpoint_id), "--since", later)
    assert none.returncode == 0 and "0 failed deliveries" in none.stdout, none.stderr
    assert moderato("--since", later).returncode != 0  # --since needs --failed-of
    result = moderato("--failed-of", str(endpoint_id))
    assert result.returncode == 0, result.stderr
    assert "3 failed deliveries queued" in result.stdout
    with db.session() as session:
        from service.store.tables import AuditEntry

        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "webhook_redelivered")
        ).all()
    assert [(e.actor, e.details["count"]) for e in audited] == [("cli", 0), ("cli", 3)]
    wait_for(lambda: [d.status for d in deliveries(db)] == ["delivered"] * 3, timeout=30)
    resent = [got.headers["Webhook-Id"] for got in receiver.received[3:]]
    assert sorted(resent) == sorted(failed)
