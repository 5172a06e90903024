"""``/moderate`` names the text's revision it saw: an author's edit is never approved unread."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites as site_ops
from service.integrations.webhooks import create_endpoint
from service.status import State
from service.store import Database
from service.store.tables import Comment, WebhookDelivery
from tests.factories import payload
from tests.helpers import assert_documented_webhook
from tests.integrations.conftest import SiteKeys, bearer

EDITED = "Thanks for the thorough reporting. I had not seen the council budget figures."


def _set_state(db: Database, comment_id: str, state: State) -> None:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        row.state = state.value


def _held_then_edited(client: FlaskClient, db: Database, site: SiteKeys) -> str:
    """Post a comment, hold it, let its author edit it and the worker hold it again."""
    key = bearer(site.tokens["key"])
    body = client.post("/api/v1/comments", json=payload(), headers=key).get_json()
    _set_state(db, body["id"], State.HELD)
    seen = client.get(f"/api/v1/comments/{body['id']}", headers=key).get_json()
    assert (seen["status"], seen["revision"]) == ("held", 0)
    edit = client.patch(
        f"/api/v1/comments/{body['id']}",
        json={"text": EDITED},
        headers={**key, "Moderato-Edit-Token": body["edit_token"]},
    )
    assert edit.status_code == 202 and edit.get_json()["revision"] == 1
    _set_state(db, body["id"], State.HELD)  # the worker holds the new text again
    return str(body["id"])


def test_a_decision_on_a_text_edited_since_is_a_409_and_changes_nothing(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Both texts are held: approve naming revision 0 after the edit is 409 conflict (the
    message says it was edited) and the comment stays held; naming revision 1 approves."""
    site = make_site(key=["submit", "moderate", "read"])
    comment_id = _held_then_edited(client, db, site)
    url = f"/api/v1/comments/{comment_id}/moderate"
    key = bearer(site.tokens["key"])
    stale = client.post(
        url, json={"action": "approve", "expected_status": "held", "revision": 0}, headers=key
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    assert "edited" in stale.get_json()["error"]["message"]
    assert client.get(f"/api/v1/comments/{comment_id}", headers=key).get_json()["status"] == "held"
    fresh = client.post(
        url, data={"action": "approve", "expected_status": "held", "revision": "1"}, headers=key
    )
    assert fresh.status_code == 200 and fresh.get_json()["status"] == "published"


def test_featuring_a_text_edited_and_published_again_is_a_409(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A comment edited and published again is published both times: feature naming the
    old revision is 409 conflict and leaves it unfeatured."""
    site = make_site(key=["submit", "moderate"])
    comment_id = _held_then_edited(client, db, site)
    _set_state(db, comment_id, State.PUBLISHED)
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "feature", "expected_status": "published", "revision": 0},
        headers=bearer(site.tokens["key"]),
    )
    assert rv.status_code == 409 and rv.get_json()["error"]["code"] == "conflict"
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None and row.featured_at is None


def test_a_malformed_revision_is_a_field_error(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """revision must be a whole number: else 422 with the field error invalid_revision."""
    site = make_site(key=["submit", "moderate"])
    key = bearer(site.tokens["key"])
    comment_id = client.post("/api/v1/comments", json=payload(), headers=key).get_json()["id"]
    for bad in ("one", -1, 1.5, True):
        rv = client.post(
            f"/api/v1/comments/{comment_id}/moderate",
            json={"action": "approve", "expected_status": "held", "revision": bad},
            headers=key,
        )
        assert rv.status_code == 422, bad
        assert rv.get_json()["error"]["fields"]["revision"]["code"] == "invalid_revision"


def test_webhook_events_carry_the_revision(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """comment.received names revision 0 and comment.edited revision 1, as the documented
    WebhookEvent: a receiver can pass it to /moderate."""
    site = make_site(key=["submit", "moderate"])
    with db.session() as session:
        row = site_ops.by_slug(session, site.slug)
        assert row is not None
        create_endpoint(
            session,
            row,
            "http://127.0.0.1:9/hooks",
            ["comment.received", "comment.edited"],
            allow_private=True,
        )
    _held_then_edited(client, db, site)
    with db.session() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
        events = [json.loads(r.payload) for r in rows]
    assert [(e["type"], e["data"]["revision"]) for e in events] == [
        ("comment.received", 0),
        ("comment.edited", 1),
    ]
    for event in events:
        assert_documented_webhook(client, event)


def test_a_revision_the_comment_never_had_is_a_422_not_an_edit_conflict(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A revision newer than the comment's (nobody could have read it) is 422
    validation_failed with the field error invalid_revision naming the current revision,
    not the 409 that said its author had edited it since; nothing changes."""
    site = make_site(key=["submit", "moderate", "read"])
    comment_id = _held_then_edited(client, db, site)  # its text is at revision 1
    key = bearer(site.tokens["key"])
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "approve", "expected_status": "held", "revision": 2},
        headers=key,
    )
    assert rv.status_code == 422
    error = rv.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["revision"]["code"] == "invalid_revision"
    assert "no revision 2" in error["fields"]["revision"]["message"]
    assert "revision 1" in error["fields"]["revision"]["message"]
    assert "edited" not in error["fields"]["revision"]["message"]
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None and (row.state, row.revision) == ("held", 1)
