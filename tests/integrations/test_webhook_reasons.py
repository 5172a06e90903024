"""``comment.held`` and ``comment.rejected`` say why: the classifier's reasons and the
decision's summary, as a real worker sends them to a real receiver."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from standardwebhooks import Webhook

from service.store import Database
from service.store.tables import Comment, Site
from tests.factories import SPAM, post
from tests.helpers import assert_documented_webhook, wait_for
from tests.integrations.receiver import Receiver
from tests.integrations.test_webhooks_e2e import WORKER, subscribe

#: Every comment is rejected as spam: the thresholds are 0 (the scorer still explains why).
REJECT_ALL = {
    "mode": "auto",
    "publish_below": {"spam": 0.0, "toxicity": 0.5},
    "reject_above": {"spam": 0.0, "toxicity": 0.98},
}


def _policy(db: Database, policy: dict[str, Any]) -> None:
    with db.session() as session:
        session.execute(update(Site).where(Site.slug == "default").values(policy=policy))


def _stored(db: Database, comment_id: str) -> Comment:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row


def _event(receiver: Receiver, secret: str, kind: str, comment_id: str) -> dict[str, Any]:
    for got in receiver.received:
        body = Webhook(secret).verify(got.body, got.headers)
        if body["type"] == kind and body["data"]["id"] == comment_id:
            return dict(body)
    raise AssertionError(f"no {kind} for {comment_id}")


def _has(receiver: Receiver, kind: str, comment_id: str) -> bool:
    bodies = [json.loads(got.body) for got in receiver.received]
    return any(b["type"] == kind and b["data"]["id"] == comment_id for b in bodies)


@pytest.mark.slow
def test_held_and_rejected_events_carry_the_reasons_the_dashboard_shows(
    client: FlaskClient, db: Database, receiver: Receiver, start_worker: Callable[..., Any]
) -> None:
    """A comment the worker holds (pre-moderation) arrives as ``comment.held`` with the
    scoring contract's reasons (each placed in the text by its span) and the summary
    stored with its decision; one it rejects as spam arrives as ``comment.rejected`` with
    its rejection, reasons and summary. Both bodies validate against WebhookEvent."""
    _, secret = subscribe(db, receiver.url, ["comment.held", "comment.rejected"])
    start_worker(extra=WORKER)

    _policy(db, {"mode": "pre", "reject_above": {"spam": 1.0, "toxicity": 1.0}})
    held_id = post(client, thread="why-held", text=SPAM).get_json()["id"]
    wait_for(lambda: _has(receiver, "comment.held", held_id), timeout=30)
    _policy(db, REJECT_ALL)
    rejected_id = post(client, thread="why-rejected", text=SPAM).get_json()["id"]
    wait_for(lambda: _has(receiver, "comment.rejected", rejected_id), timeout=30)

    held = _event(receiver, secret, "comment.held", held_id)
    row = _stored(db, held_id)
    assert row.decision is not None
    data = held["data"]
    assert data["status"] == "held"
    assert data["summary"] == row.decision["summary"]
    assert "the site reviews every comment before publishing" in data["summary"]
    assert data["reasons"], "the scorer explains a spam text"
    stored_reasons = row.decision["reasons"]
    assert [(r["model"], r["kind"], r["text"]) for r in data["reasons"]] == [
        (r["model"], r["kind"], r["text"]) for r in stored_reasons
    ]
    for reason in data["reasons"]:
        assert set(reason) == {"model", "kind", "text", "weight", "span"}
        if reason["span"] is not None:
            start, end = reason["span"]
            assert 0 <= start < end <= len(SPAM)
    assert [r["span"] for r in data["reasons"]] == [r.get("span") for r in stored_reasons]

    rejected = _event(receiver, secret, "comment.rejected", rejected_id)["data"]
    assert (rejected["status"], rejected["rejection"]) == ("rejected", "spam")
    rejected_row = _stored(db, rejected_id)
    assert rejected_row.decision is not None and rejected["reasons"]
    assert rejected["summary"] == rejected_row.decision["summary"]
    assert any("reject threshold" in line for line in rejected["summary"])
    for event in (held, _event(receiver, secret, "comment.rejected", rejected_id)):
        assert_documented_webhook(client, event)
        assert "ada@example.org" not in str(event)


def test_an_erasure_keeps_the_reasons_without_the_words_they_quote(
    client: FlaskClient, db: Database
) -> None:
    """After a privacy erasure, the held event waiting in the outbox and the take-down's
    ``comment.rejected`` still carry the reasons' model, kind and weight, with their text
    and span null, and nothing of the address or the quoted words."""
    from service import privacy
    from service.integrations.webhooks import create_endpoint
    from service.lifecycle import Change, transition
    from service.status import State
    from tests.factories import stored
    from tests.helpers import outbox_bodies

    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(
            session, site, "http://127.0.0.1:9/in", ["comment.held", "comment.rejected"],
            allow_private=True,
        )  # fmt: skip
    comment = stored(db, text="Win at casino.example today", email="erase.me@example.org")
    decision = {
        "action": "hold",
        "summary": ["spam score 0.71 is at or above the publish threshold 0.50"],
        "reasons": [
            {"model": "spam", "kind": "link", "text": "casino.example", "weight": 1.8,
             "span": [7, 21]},
        ],
    }  # fmt: skip
    held = Change(
        State.PENDING, State.HELD, actor="system:worker", action="classify",
        values={"spam": 0.71, "toxicity": 0.02, "decision": decision},
    )  # fmt: skip
    with db.session() as session:
        assert transition(session, comment.id, held) is not None
    (before,) = outbox_bodies(db)
    assert before["data"]["reasons"][0]["text"] == "casino.example"
    with db.session() as session:
        privacy.erase(session, "erase.me@example.org", "cli")
    bodies = {b["type"]: b["data"] for b in outbox_bodies(db)}
    assert set(bodies) == {"comment.held", "comment.rejected"}
    for data in bodies.values():
        assert data["reasons"] == [
            {"model": "spam", "kind": "link", "text": None, "weight": 1.8, "span": None}
        ]
        assert "casino" not in json.dumps(data) and "erase.me" not in json.dumps(data)
        assert_documented_webhook(
            client, {"type": "comment.held", "timestamp": before["timestamp"], "data": data}
        )
