"""``moderato webhooks update|delete``: checked like ``add``; queued deliveries follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from standardwebhooks import Webhook

from service.cli import main
from service.store import Database
from service.store.tables import AuditEntry, WebhookDelivery, WebhookEndpoint
from tests.conftest import worker_env
from tests.factories import stored
from tests.helpers import wait_for
from tests.integrations.receiver import Receiver
from tests.integrations.test_webhooks_e2e import WORKER, subscribe


def endpoint_row(db: Database, endpoint_id: int) -> WebhookEndpoint | None:
    with db.session() as session:
        return session.get(WebhookEndpoint, endpoint_id)


def test_update_changes_url_and_events_checked_like_add(
    db: Database, moderato: Any, settings: dict[str, Any]
) -> None:
    """`update` changes the URL and replaces the events (canonical order), keeps the secret
    and audits old and new; an unknown event, an unsafe URL or no option is refused and
    changes nothing."""
    endpoint_id, secret = subscribe(db, "http://127.0.0.1:9/a", ["comment.published"])
    done = moderato("webhooks", "update", str(endpoint_id), "--url", "http://127.0.0.1:9/b",
                    "--event", "comment.rejected", "--event", "comment.received")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "http://127.0.0.1:9/b  [comment.received, comment.rejected]" in done.output
    row = endpoint_row(db, endpoint_id)
    assert row is not None and row.secret == secret
    assert row.events == ["comment.received", "comment.rejected"]
    with db.session() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook_updated"))
    assert entry.details["changes"]["url"] == {
        "old": "http://127.0.0.1:9/a", "new": "http://127.0.0.1:9/b"
    }  # fmt: skip
    unknown = moderato("webhooks", "update", str(endpoint_id), "--event", "nope")
    assert unknown.exit_code != 0 and "events: unknown events: nope" in unknown.output
    assert moderato("webhooks", "update", str(endpoint_id)).exit_code != 0
    private = CliRunner().invoke(
        main,
        ["webhooks", "update", str(endpoint_id), "--url", "http://127.0.0.1:10/c"],
        env=worker_env(settings),
    )
    assert private.exit_code != 0 and "url: 127.0.0.1 resolves to 127.0.0.1" in private.output
    only_events = CliRunner().invoke(  # the unchanged URL is not checked again
        main,
        ["webhooks", "update", str(endpoint_id), "--url", "http://127.0.0.1:9/b",
         "--event", "comment.held"],
        env=worker_env(settings),
    )  # fmt: skip
    assert only_events.exit_code == 0, only_events.output
    row = endpoint_row(db, endpoint_id)
    assert row is not None and (row.url, row.events) == ("http://127.0.0.1:9/b", ["comment.held"])
    assert moderato("webhooks", "update", "999", "--url", "http://127.0.0.1:9/").exit_code != 0


def test_delete_refuses_while_deliveries_wait_unless_forced(db: Database, moderato: Any) -> None:
    """`delete` refuses an endpoint with a pending delivery, naming how many; `--force`
    deletes it with its log and says how many unsent deliveries were dropped; an endpoint
    with only finished deliveries is deleted without --force."""
    endpoint_id, _ = subscribe(db, "http://127.0.0.1:9/a", ["comment.received"])
    other_id, _ = subscribe(db, "http://127.0.0.1:9/b", ["comment.received"])
    stored(db)
    with db.session() as session:
        for row in session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.endpoint_id == other_id)
        ):
            row.status = "delivered"
    refused = moderato("webhooks", "delete", str(endpoint_id))
    assert refused.exit_code != 0
    assert "1 delivery is still waiting to be sent" in refused.output
    assert endpoint_row(db, endpoint_id) is not None
    forced = moderato("webhooks", "delete", str(endpoint_id), "--force")
    assert forced.exit_code == 0 and "1 unsent delivery dropped" in forced.output
    assert moderato("webhooks", "delete", str(other_id)).exit_code == 0
    with db.session() as session:
        assert session.scalars(select(WebhookDelivery)).all() == []
        assert session.scalars(select(WebhookEndpoint)).all() == []
        actions = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "webhook_deleted")
        ).all()
    assert [a["dropped"] for a in actions] == [1, 0]
    assert moderato("webhooks", "delete", str(endpoint_id)).exit_code != 0


@pytest.mark.slow
def test_a_queued_delivery_goes_to_the_new_url(
    db: Database, receiver: Receiver, moderato: Any, start_worker: Callable[..., Any]
) -> None:
    """A delivery held while the endpoint was off goes, once it is enabled, to the URL it
    was changed to meanwhile, signed with the same secret."""
    endpoint_id, secret = subscribe(db, "http://127.0.0.1:9/old", ["comment.received"])
    assert moderato("webhooks", "disable", str(endpoint_id)).exit_code == 0
    stored(db)
    assert moderato("webhooks", "update", str(endpoint_id), "--url", receiver.url).exit_code == 0
    start_worker(extra=WORKER)
    assert moderato("webhooks", "enable", str(endpoint_id)).exit_code == 0
    wait_for(lambda: len(receiver.received) == 1, timeout=20)
    event = Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert event["type"] == "comment.received"
