"""``feature`` / ``unfeature`` through ``POST /api/v1/comments/<id>/moderate``: key scopes,
conflicts, the audit entry and the signed ``comment.featured`` webhook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from standardwebhooks import Webhook

from service.integrations.webhooks import create_endpoint
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Label, Site
from tests.factories import payload
from tests.helpers import assert_documented_webhook, outbox_bodies, wait_for
from tests.integrations.conftest import SiteKeys, bearer
from tests.integrations.receiver import Receiver


def _published(client: FlaskClient, db: Database, token: str, thread: str = "t") -> str:
    """Submit a comment with the site's key and publish it, as the worker would."""
    rv = client.post("/api/v1/comments", json=payload(thread=thread), headers=bearer(token))
    comment_id = str(rv.get_json()["id"])
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        row.state = State.PUBLISHED.value
    return comment_id


def _moderate(client: FlaskClient, comment_id: str, token: str | None, **body: Any) -> Any:
    """Post ``body`` to the comment's moderate endpoint, with the key ``token`` if any."""
    headers = bearer(token) if token else {}
    return client.post(f"/api/v1/comments/{comment_id}/moderate", json=body, headers=headers)


def test_feature_and_unfeature_by_a_moderate_key(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A ``moderate`` key features a published comment (200, ``featured: true``, no label,
    state kept, an audit entry by ``key:<prefix>`` with the note), the thread lists it as
    featured, and ``unfeature`` takes the flag off again."""
    site = make_site(mod=["moderate"])
    cid = _published(client, db, site.tokens["first"], thread="picks")
    rv = _moderate(
        client, cid, site.tokens["mod"], action="feature", expected_status="published", note="pick"
    )
    assert rv.status_code == 200, rv.get_json()
    assert rv.get_json() == {
        "id": cid,
        "status": "published",
        "rejection": None,
        "action": "feature",
        "label": None,
        "featured": True,
    }
    listing = client.get(f"/api/v1/comments?site={site.slug}&thread=picks").get_json()
    assert [(i["id"], i["featured"]) for i in listing["items"]] == [(cid, True)]
    assert listing["featured_total"] == 1
    off = _moderate(
        client, cid, site.tokens["mod"], action="unfeature", expected_status="published"
    )
    assert off.status_code == 200 and off.get_json()["featured"] is False
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.comment_id == cid, AuditEntry.action.in_(["feature", "unfeature"]))
            .order_by(AuditEntry.id)
        ).all()
        labels = session.scalars(select(Label).where(Label.comment_id == cid)).all()
    prefix = site.tokens["mod"].split("_")[1]
    assert [(e.action, e.actor, e.note) for e in entries] == [
        ("feature", f"key:{prefix}", "pick"),
        ("unfeature", f"key:{prefix}", None),
    ]
    assert labels == []


def test_featuring_needs_a_moderate_key_of_the_comments_site(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """No key: 401; a key without ``moderate``: 403; another site's ``moderate`` key: the
    same 404 ``comment_not_found`` as any other action. Nothing is featured."""
    site = make_site(mod=["moderate"])
    other = make_site("Other", mod=["moderate"])
    cid = _published(client, db, site.tokens["first"])
    body = {"action": "feature", "expected_status": "published"}
    assert _moderate(client, cid, None, **body).status_code == 401
    assert _moderate(client, cid, site.tokens["first"], **body).status_code == 403
    foreign = _moderate(client, cid, other.tokens["mod"], **body)
    assert foreign.status_code == 404
    assert foreign.get_json()["error"]["code"] == "comment_not_found"
    with db.session() as session:
        assert session.get(Comment, cid).featured_at is None  # type: ignore[union-attr]


def test_featuring_a_comment_taken_down_is_a_conflict(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A caller that saw the comment published but it was taken down since gets ``409
    conflict`` naming its state; one that saw it held gets ``409 invalid_transition``
    (only published comments are featured)."""
    site = make_site(mod=["moderate"])
    cid = _published(client, db, site.tokens["first"])
    down = _moderate(client, cid, site.tokens["mod"], action="spam", expected_status="published")
    assert down.status_code == 200
    late = _moderate(client, cid, site.tokens["mod"], action="feature", expected_status="published")
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "conflict"
    assert "rejected" in late.get_json()["error"]["message"]
    seen_held = _moderate(client, cid, site.tokens["mod"], action="feature", expected_status="held")
    assert seen_held.status_code == 409
    assert seen_held.get_json()["error"]["code"] == "invalid_transition"
    with db.session() as session:
        row = session.get(Comment, cid)
        assert row is not None and row.featured_at is None and row.state == "rejected"


def test_a_reason_goes_with_reject_only(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """``feature`` with ``"reason": "toxic"`` is a 422 like any other action with a reason."""
    site = make_site(mod=["moderate"])
    cid = _published(client, db, site.tokens["first"])
    rv = _moderate(
        client,
        cid,
        site.tokens["mod"],
        action="feature",
        expected_status="published",
        reason="toxic",
    )
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["reason"]["code"] == "invalid_choice"


def test_featuring_sends_a_documented_comment_featured_event(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Feature and unfeature each write one ``comment.featured`` outbox row (``featured``
    true then false, with action, actor and note), valid against /openapi.json's
    ``WebhookEvent``; a repeat that changes nothing sends nothing; a take-down's
    ``comment.rejected`` says the comment is no longer featured."""
    site = make_site(mod=["moderate"])
    with db.session() as session:
        row = session.get(Site, site.site_id)
        assert row is not None
        create_endpoint(
            session,
            row,
            "http://127.0.0.1:9/in",
            ["comment.featured", "comment.rejected"],
            allow_private=True,
        )
    cid = _published(client, db, site.tokens["first"])
    for action in ("feature", "feature", "unfeature", "feature"):
        rv = _moderate(client, cid, site.tokens["mod"], action=action, expected_status="published")
        assert rv.status_code == 200
    _moderate(client, cid, site.tokens["mod"], action="reject", expected_status="published")
    bodies = outbox_bodies(db)
    featured = [b["data"] for b in bodies if b["type"] == "comment.featured"]
    assert [(d["action"], d["featured"]) for d in featured] == [
        ("feature", True),
        ("unfeature", False),
        ("feature", True),
    ]
    assert featured[0]["actor"] == "key:" + site.tokens["mod"].split("_")[1]
    rejected = next(b["data"] for b in bodies if b["type"] == "comment.rejected")
    assert rejected["featured"] is False and rejected["status"] == "rejected"
    for event in bodies:
        assert_documented_webhook(client, event)


@pytest.mark.slow
def test_the_featured_event_is_delivered_signed(
    client: FlaskClient,
    make_site: Callable[..., SiteKeys],
    db: Database,
    receiver: Receiver,
    start_worker: Callable[..., Any],
) -> None:
    """A real worker delivers ``comment.featured`` to a real receiver, signed per Standard
    Webhooks (verified with the ``standardwebhooks`` library), without the e-mail."""
    site = make_site(mod=["moderate"])
    with db.session() as session:
        row = session.get(Site, site.site_id)
        assert row is not None
        secret = create_endpoint(
            session, row, receiver.url, ["comment.featured"], allow_private=True
        ).secret
    start_worker(extra={"WEBHOOKS_ALLOW_PRIVATE": True})
    cid = _published(client, db, site.tokens["first"])
    rv = _moderate(client, cid, site.tokens["mod"], action="feature", expected_status="published")
    assert rv.status_code == 200
    wait_for(lambda: receiver.received, timeout=20)
    got = receiver.received[0]
    event = Webhook(secret).verify(got.body, got.headers)
    assert event["type"] == "comment.featured"
    assert (event["data"]["id"], event["data"]["featured"]) == (cid, True)
    assert b"ada@example.org" not in got.body
