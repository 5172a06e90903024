"""``POST /api/v1/comments/<id>/moderate``: sites that moderate in their own tools."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Label
from tests.factories import payload
from tests.integrations.conftest import SiteKeys, bearer


def _held(client: FlaskClient, db: Database, token: str) -> str:
    comment_id = str(
        client.post("/api/v1/comments", json=payload(), headers=bearer(token)).get_json()["id"]
    )
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        row.state = State.HELD.value
    return comment_id


@pytest.mark.parametrize(
    ("action", "state", "rejection", "label"),
    [
        ("approve", "published", None, "ok"),
        ("ham", "published", None, "ham"),
        ("spam", "rejected", "spam", "spam"),
        ("reject", "rejected", "moderator", "ham"),
        ("reject:toxic", "rejected", "toxic", "toxic"),
    ],
)
def test_each_action_moves_the_comment_and_records_a_label(
    client: FlaskClient,
    make_site: Callable[..., SiteKeys],
    db: Database,
    action: str,
    state: str,
    rejection: str | None,
    label: str,
) -> None:
    """Each action changes the state, records its label and an audit entry by the key."""
    site = make_site(mod=["moderate"])
    comment_id = _held(client, db, site.tokens["first"])
    action, _, reason = action.partition(":")
    body = {"action": action, "expected_status": "held", "note": "from our CMS"}
    if reason:
        body["reason"] = reason
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate", json=body, headers=bearer(site.tokens["mod"])
    )
    assert rv.status_code == 200
    assert rv.get_json() == {
        "id": comment_id,
        "status": state,
        "rejection": rejection,
        "action": action,
        "label": label,
        "featured": False,
    }
    with db.session() as session:
        labels = session.scalars(select(Label).where(Label.comment_id == comment_id)).all()
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.comment_id == comment_id, AuditEntry.action == action
            )
        ).one()
    assert [(row.label, row.source) for row in labels] == [(label, "api")]
    assert audit.note == "from our CMS"
    assert audit.actor.startswith("key:")


def test_stale_expected_status_is_a_409_and_changes_nothing(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """When the comment is no longer in the state the caller saw, 409 conflict, no label."""
    site = make_site(mod=["moderate"])
    comment_id = _held(client, db, site.tokens["first"])
    url = f"/api/v1/comments/{comment_id}/moderate"
    headers = bearer(site.tokens["mod"])
    first = client.post(url, json={"action": "approve", "expected_status": "held"}, headers=headers)
    second = client.post(url, json={"action": "spam", "expected_status": "held"}, headers=headers)
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "conflict"
    assert "published" in second.get_json()["error"]["message"]
    with db.session() as session:
        assert len(session.scalars(select(Label).where(Label.comment_id == comment_id)).all()) == 1


def test_an_impossible_move_is_a_409_invalid_transition(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Approving a comment the caller saw published is refused: published cannot become published."""
    site = make_site(mod=["moderate"])
    comment_id = _held(client, db, site.tokens["first"])
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "approve", "expected_status": "published"},
        headers=bearer(site.tokens["mod"]),
    )
    assert rv.status_code == 409
    assert rv.get_json()["error"]["code"] == "invalid_transition"


def test_moderate_needs_a_moderate_key_of_the_comments_site(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """No key: 401; a key without the scope: 403; another site's moderate key: 404."""
    site = make_site(mod=["moderate"])
    other = make_site("Other", mod=["moderate"])
    comment_id = _held(client, db, site.tokens["first"])
    url = f"/api/v1/comments/{comment_id}/moderate"
    body = {"action": "approve", "expected_status": "held"}
    assert client.post(url, json=body).status_code == 401
    no_scope = client.post(url, json=body, headers=bearer(site.tokens["first"]))
    assert no_scope.status_code == 403
    foreign = client.post(url, json=body, headers=bearer(other.tokens["mod"]))
    assert foreign.status_code == 404
    assert foreign.get_json()["error"]["code"] == "comment_not_found"


def test_moderate_reports_every_bad_field(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A bad action, a missing expected_status and a non-string note all come back in one 422."""
    site = make_site(mod=["moderate"])
    comment_id = _held(client, db, site.tokens["first"])
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "delete", "note": 5, "reason": "rude"},
        headers=bearer(site.tokens["mod"]),
    )
    assert rv.status_code == 422
    fields = rv.get_json()["error"]["fields"]
    assert fields["action"]["code"] == "invalid_choice"
    assert fields["expected_status"]["code"] == "required"
    assert fields["note"]["code"] == "invalid_type"
    assert fields["reason"]["code"] == "invalid_choice"
