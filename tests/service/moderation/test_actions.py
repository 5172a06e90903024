"""Acting on one comment: state, label and audit entry; conflicts between moderators; scope."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import sites as site_ops
from service.status import State
from service.store import Database
from tests.dashboard import (
    audit_of,
    held,
    labels_of,
    logged_in,
    login,
    make_user,
    state_of,
)

JSON = {"Accept": "application/json"}


def act(client: FlaskClient, token: str, comment_id: str, **body: Any) -> Any:
    """Post an action as the queue's fetch does."""
    return client.post(
        f"/moderation/comments/{comment_id}/act",
        json=body,
        headers={**JSON, "X-CSRF-Token": token},
    )


def test_approve_publishes_labels_and_audits(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Approving a held comment publishes it, labels it ok, and audits who, what, note and model."""
    cid = held(db, thread="approve-me")
    resp = act(client, admin_csrf, cid, action="approve", expected="held", note="fine by me")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "published" and body["label"] == "ok"
    assert state_of(db, cid) == ("published", None)
    assert labels_of(db, cid) == ["ok"]
    entry = audit_of(db, cid)[-1]
    assert (entry.actor, entry.action, entry.from_state, entry.to_state) == (
        "user:1",
        "approve",
        "held",
        "published",
    )
    assert entry.note == "fine by me" and entry.model_version == "spam-test+tox-test"
    items = client.get("/api/v1/comments?thread=approve-me").get_json()["items"]
    assert [i["id"] for i in items] == [cid]


@pytest.mark.parametrize(
    ("action", "state", "rejection", "label", "audit"),
    [
        ("approve", "published", None, "ok", "approve"),
        ("ham", "published", None, "ham", "ham"),
        ("spam", "rejected", "spam", "spam", "spam"),
        ("toxic", "rejected", "toxic", "toxic", "reject_toxic"),
        ("offtopic", "rejected", "moderator", "ham", "reject_offtopic"),
    ],
)
def test_each_action_records_its_state_and_label(
    client: FlaskClient,
    db: Database,
    admin_csrf: str,
    action: str,
    state: str,
    rejection: str | None,
    label: str,
    audit: str,
) -> None:
    """Each action on a held comment moves it, records its label and its audit action."""
    cid = held(db)
    assert act(client, admin_csrf, cid, action=action, expected="held").status_code == 200
    assert state_of(db, cid) == (state, rejection)
    assert labels_of(db, cid) == [label]
    assert audit_of(db, cid)[-1].action == audit


def test_not_spam_publishes_a_comment_from_the_spam_queue(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """'Not spam' on a comment the classifier rejected as spam publishes it with a ham label."""
    cid = held(db, state=State.REJECTED, rejection="spam", spam=0.97)
    resp = act(client, admin_csrf, cid, action="ham", expected="rejected")
    assert resp.status_code == 200
    assert state_of(db, cid) == ("published", None)
    assert labels_of(db, cid) == ["ham"]


def test_take_down_a_published_comment(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """Taking down a published comment rejects it; the audit says takedown and why."""
    cid = held(db, state=State.PUBLISHED)
    resp = act(client, admin_csrf, cid, action="toxic", expected="published", note="insults")
    assert resp.status_code == 200
    assert state_of(db, cid) == ("rejected", "toxic")
    entry = audit_of(db, cid)[-1]
    assert entry.action == "takedown" and entry.details["reason"] == "toxic"
    assert labels_of(db, cid) == ["toxic"]
    # the message names a take-down too (it said "Reject: toxic: done")
    assert resp.get_json()["message"] == "Take down: toxic: done (\u2068Ada Reader\u2069)."


def test_second_moderator_gets_a_conflict(app: Flask, db: Database) -> None:
    """Two moderators act on one held comment: the second gets 409; nothing happens twice."""
    cid = held(db)
    first, second = app.test_client(), app.test_client()
    token1 = logged_in(first, db, "one@example.org")
    token2 = logged_in(second, db, "two@example.org")
    assert act(first, token1, cid, action="approve", expected="held").status_code == 200
    resp = act(second, token2, cid, action="spam", expected="held")
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "conflict" and "now published" in error["message"]
    assert state_of(db, cid) == ("published", None)
    assert labels_of(db, cid) == ["ok"]
    moderator_entries = [e for e in audit_of(db, cid) if e.actor.startswith("user:")]
    assert len(moderator_entries) == 1
    card = second.get(f"/moderation/comments/{cid}/card").get_data(as_text=True)
    assert 'data-state="published"' in card


def test_conflict_on_a_plain_form_flashes_and_returns_to_the_queue(
    app: Flask, db: Database
) -> None:
    """Without JavaScript a conflict redirects back to the queue with a clear message."""
    cid = held(db)
    first, second = app.test_client(), app.test_client()
    token1 = logged_in(first, db, "one@example.org")
    token2 = logged_in(second, db, "two@example.org")
    act(first, token1, cid, action="spam", expected="held")
    resp = second.post(
        f"/moderation/comments/{cid}/act",
        data={
            "csrf_token": token2,
            "action": "approve",
            "expected": "held",
            "next": "/moderation/queue/held",
        },
        headers={"Accept": "text/html"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/moderation/queue/held"
    page = second.get("/moderation/queue/held", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "Someone else acted on this comment" in page and "now rejected (spam)" in page
    assert state_of(db, cid) == ("rejected", "spam")


def test_bad_action_requests_list_every_field(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """An unknown action, an unknown state and an overlong note are reported together (422)."""
    cid = held(db)
    resp = act(client, admin_csrf, cid, action="nuke", expected="limbo", note="x" * 1001)
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["fields"]
    assert set(fields) == {"action", "expected", "note"}
    assert fields["action"]["code"] == "invalid_action"
    assert state_of(db, cid) == ("held", None)


@pytest.mark.parametrize("bad", ["\x00", "\u202e"])
def test_a_note_with_control_characters_is_refused(
    client: FlaskClient, db: Database, admin_csrf: str, bad: str
) -> None:
    """A NUL in a note was a 500 on PostgreSQL and U+202E reversed the audit log's line;
    both are a field error and nothing changes."""
    cid = held(db)
    resp = act(client, admin_csrf, cid, action="approve", expected="held", note=f"ok {bad}x")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["note"]["code"] == "control_characters"
    assert state_of(db, cid) == ("held", None)


def test_action_that_does_not_apply_is_refused(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """'Not spam' on a published comment is not a move the lifecycle allows: 422."""
    cid = held(db, state=State.PUBLISHED)
    resp = act(client, admin_csrf, cid, action="ham", expected="published")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["action"]["code"] == "action_not_allowed"


def test_moderators_only_see_and_act_on_their_sites(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A moderator of one site neither sees nor acts on another site's comments."""
    with db.session() as session:
        site_ops.create(session, "Other news", ["https://other.example"], slug="other")
        site_ops.create(session, "Mine", ["https://mine.example"], slug="mine")
    theirs = held(db, site="other", text="Other site's comment http://a.example")
    mine = held(db, site="mine", text="My site's comment http://b.example")
    token = logged_in(client, db, "mod@example.org", role="moderator", sites=["mine"])
    page = client.get("/moderation/queue/held", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert mine in page and theirs not in page
    resp = act(client, token, theirs, action="approve", expected="held")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "comment_not_found"
    assert client.get(f"/moderation/comments/{theirs}/card").status_code == 404
    assert state_of(db, theirs) == ("held", None)
    filtered = client.get("/moderation/queue/held?site=other", headers={"Accept": "text/html"})
    assert filtered.status_code == 422 and theirs not in filtered.get_data(as_text=True)
    assert act(client, token, mine, action="approve", expected="held").status_code == 200


def test_moderators_cannot_open_admin_pages(client: FlaskClient, db: Database) -> None:
    """Users, sites and audit pages answer 403 to moderators."""
    logged_in(client, db, "mod@example.org", role="moderator")
    for path in (
        "/moderation/users",
        "/moderation/sites",
        "/moderation/audit",
        "/moderation/audit.csv",
    ):
        assert client.get(path).status_code == 403, path


def test_comment_text_is_escaped_never_html(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A comment's text reaches the page escaped, even inside a highlighted span."""
    text = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
    cid = held(
        db,
        text=text,
        reasons=[{"model": "spam", "kind": "token", "text": "img", "weight": 1.0, "span": [1, 4]}],
    )
    page = client.get("/moderation/queue/held", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert '&lt;<mark class="r r-spam"' in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert cid in page


def test_disabling_an_account_ends_its_session(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A moderator disabled by an admin is logged out on their next request."""
    mod_id = make_user(db, "mod@example.org", role="moderator")
    assert login(client, "mod@example.org").status_code == 303
    admin = app.test_client()
    token = logged_in(admin, db)
    resp = admin.post(
        f"/moderation/users/{mod_id}",
        data={"csrf_token": token, "role": "moderator", "disabled": "1"},
    )
    assert resp.status_code == 303
    assert client.get("/moderation/queue/held").status_code == 401
