"""``moderato webhooks ping``: a signed webhook.test through the outbox to a real receiver."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from service.store import Database
from service.store.tables import AuditEntry, WebhookDelivery
from tests.integrations.receiver import Receiver
from tests.integrations.test_webhooks_e2e import WORKER, subscribe

pytestmark = pytest.mark.slow


def test_ping_sends_a_signed_test_event_and_shows_its_result(
    db: Database, receiver: Receiver, moderato: Any, start_worker: Callable[..., Any]
) -> None:
    """A ping reaches the receiver signed with the endpoint's secret, as `webhook.test`, even
    for an endpoint subscribed to other events; the command prints the delivery's log line
    and the ping is audited."""
    endpoint_id, secret = subscribe(db, receiver.url, ["comment.published"])
    start_worker(extra=WORKER)
    result = moderato("webhooks", "ping", str(endpoint_id))
    assert result.exit_code == 0, result.output
    (got,) = receiver.received
    event = Webhook(secret).verify(got.body, got.headers)
    assert event["type"] == "webhook.test" and event["data"]["endpoint"] == endpoint_id
    assert event["data"]["site"] == "default"
    delivery_id = got.headers["Webhook-Id"]
    assert f"{delivery_id}  webhook.test  delivered  attempts=1  200  " in result.output
    assert moderato("webhooks", "deliveries", str(endpoint_id)).output.startswith(delivery_id)
    with db.session() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook_pinged"))
    assert entry.actor == "cli" and entry.details["delivery_id"] == delivery_id


def test_a_refused_ping_fails_the_command_with_the_answer(
    db: Database, receiver: Receiver, moderato: Any, start_worker: Callable[..., Any]
) -> None:
    """A receiver that answers 401 (its verification failed) makes the ping exit non-zero,
    with the status in the printed line."""
    endpoint_id, _ = subscribe(db, receiver.url, ["comment.published"])
    receiver.default = (401, {})
    start_worker(extra=WORKER)
    result = moderato("webhooks", "ping", str(endpoint_id))
    assert result.exit_code != 0
    assert "webhook.test  failed  attempts=1  401" in result.output and "HTTP 401" in result.output
    assert "the receiver did not accept it" in result.output


def test_ping_without_a_worker_says_so_and_a_disabled_endpoint_is_refused(
    db: Database, moderato: Any
) -> None:
    """With no worker the ping stays queued and the command says where its result will
    be; a disabled endpoint is refused (its test would only wait, paused)."""
    endpoint_id, _ = subscribe(db, "http://127.0.0.1:9/hooks", ["comment.published"])
    result = moderato("webhooks", "ping", str(endpoint_id), "--wait", "0.5")
    assert result.exit_code != 0 and "is a worker running?" in result.output
    with db.session() as session:
        (row,) = session.scalars(select(WebhookDelivery))
    assert row.status == "pending" and json.loads(row.payload)["type"] == "webhook.test"
    assert moderato("webhooks", "disable", str(endpoint_id)).exit_code == 0
    refused = moderato("webhooks", "ping", str(endpoint_id))
    assert refused.exit_code != 0 and "is disabled (disabled by an admin)" in refused.output
    assert moderato("webhooks", "ping", "999").exit_code != 0
