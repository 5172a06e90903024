"""A comment held after classifier errors tells the outside a stable reason (the error's
class), never the error's message, which stays with the moderators."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites as site_ops
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Site
from tests.dashboard import logged_in
from tests.factories import post
from tests.helpers import outbox_bodies
from tests.integrations.conftest import bearer
from worker import runtime
from worker.callbacks import hold_for_classifier_error

SECRET_MESSAGE = "ConnectionError: could not reach http://10.0.0.7:6379/model-cache (token abc123)"
STABLE = "classifier_error: the classifier failed (ConnectionError)"


def _setup(db: Database) -> str:
    """Subscribe an endpoint of the default site to every event; return a read key."""
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(session, site, "http://127.0.0.1:9/in", ["*"], allow_private=True)
        return site_ops.add_key(session, site, name="reader", scopes=["read"])


def test_a_classifier_error_hold_sends_its_class_not_its_message(
    client: FlaskClient, db: Database, worker_runtime: runtime.Runtime
) -> None:
    """The ``comment.held`` webhook and a read key's ``GET /api/v1/comments/{id}`` carry
    ``classifier_error: the classifier failed (ConnectionError)``; the message (a host, a
    token) is in the audit entry and on the dashboard's card only. Review finding: the
    webhook's summary carried up to 300 characters of it to the site's receiver."""
    key = _setup(db)
    comment_id = post(client).get_json()["id"]
    assert hold_for_classifier_error(comment_id, SECRET_MESSAGE, 0, "ConnectionError")

    held = [b for b in outbox_bodies(db) if b["type"] == "comment.held"]
    assert [b["data"]["summary"] for b in held] == [[STABLE]]
    assert "10.0.0.7" not in str(held)
    decision = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(key)).get_json()[
        "decision"
    ]
    assert decision["summary"] == [STABLE] and decision["error_type"] == "ConnectionError"
    assert "10.0.0.7" not in str(decision)

    with db.session() as session:
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.comment_id == comment_id, AuditEntry.action == "classifier_error"
            )
        ).one()
        assert audit.details["error"] == SECRET_MESSAGE
    logged_in(client, db)
    card = client.get("/moderation/queue/held", headers={"Accept": "text/html"})
    assert SECRET_MESSAGE in card.get_data(as_text=True)


def test_a_hold_stored_before_the_change_is_sent_without_its_message(
    client: FlaskClient, db: Database
) -> None:
    """A comment held with the old summary line (the message inside) is sent and read
    with the stable line too: its class read back from the line."""
    key = _setup(db)
    comment_id = post(client).get_json()["id"]
    old_line = f"classifier_error: the classifier failed ({SECRET_MESSAGE})"
    with db.session() as session:
        change = Change(
            expected=State.PENDING,
            new=State.HELD,
            actor="system:worker",
            action="classifier_error",
            values={
                "decision": {
                    "action": "hold",
                    "error": "classifier_error",
                    "summary": [old_line],
                    "reasons": [],
                }
            },
        )
        assert transition(session, comment_id, change) is not None
        assert session.get(Comment, comment_id) is not None
    held = [b for b in outbox_bodies(db) if b["type"] == "comment.held"]
    assert [b["data"]["summary"] for b in held] == [[STABLE]]
    read = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(key)).get_json()
    assert read["decision"]["summary"] == [STABLE]
