"""Featuring a published comment from the dashboard: the flag, its audit entry, CSRF, site
scope, conflicts, and what a take-down does to it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service import sites as site_ops
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.dashboard import audit_of, held, labels_of, logged_in, state_of

JSON = {"Accept": "application/json"}


def act(client: FlaskClient, token: str, comment_id: str, **body: Any) -> Any:
    """Post an action as the queue's fetch does."""
    return client.post(
        f"/moderation/comments/{comment_id}/act",
        json=body,
        headers={**JSON, "X-CSRF-Token": token},
    )


def featured_of(db: Database, comment_id: str) -> tuple[bool, str | None]:
    """Return whether a comment is featured, and by whom."""
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row.featured_at is not None, row.featured_by


def test_feature_flags_a_published_comment_and_audits_it(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Featuring a published comment sets the flag (by the moderator), keeps its state and
    labels, writes a ``feature`` audit entry with the note, and answers the fresh card
    (badge and an Unfeature button on the same key)."""
    cid = held(db, state=State.PUBLISHED, thread="picks")
    resp = act(client, admin_csrf, cid, action="feature", expected="published", note="great")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["action"], body["featured"], body["label"], body["status"]) == (
        "feature",
        True,
        None,
        "published",
    )
    assert body["message"] == "Featured (\u2068Ada Reader\u2069)."
    assert 'class="badge featured"' in body["card"]
    assert 'value="unfeature"' in body["card"] and 'data-key="f"' in body["card"]
    assert featured_of(db, cid) == (True, "user:1")
    assert state_of(db, cid) == ("published", None)
    assert labels_of(db, cid) == []  # featuring says nothing about spam or toxicity
    entry = audit_of(db, cid)[-1]
    assert (entry.actor, entry.action, entry.from_state, entry.to_state, entry.note) == (
        "user:1",
        "feature",
        "published",
        "published",
        "great",
    )


def test_unfeature_clears_the_flag_and_a_repeat_changes_nothing(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Unfeature clears the flag with an ``unfeature`` entry; asking again for what already
    holds (a colleague got there first) answers 200 and writes nothing more."""
    cid = held(db, state=State.PUBLISHED)
    assert act(client, admin_csrf, cid, action="feature", expected="published").status_code == 200
    again = act(client, admin_csrf, cid, action="feature", expected="published")
    assert again.status_code == 200 and again.get_json()["featured"] is True
    assert act(client, admin_csrf, cid, action="unfeature", expected="published").status_code == 200
    assert featured_of(db, cid) == (False, None)
    repeat = act(client, admin_csrf, cid, action="unfeature", expected="published")
    assert repeat.status_code == 200 and repeat.get_json()["featured"] is False
    assert 'value="feature"' in repeat.get_json()["card"]
    moderator = [e.action for e in audit_of(db, cid) if e.actor.startswith("user:")]
    assert moderator == ["feature", "unfeature"]


def test_featuring_needs_the_csrf_token(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """A feature request without the CSRF token (or with a wrong one) is refused with 403 and
    the comment is not featured."""
    cid = held(db, state=State.PUBLISHED)
    url = f"/moderation/comments/{cid}/act"
    body = {"action": "feature", "expected": "published"}
    missing = client.post(url, json=body, headers=JSON)
    wrong = client.post(url, json=body, headers={**JSON, "X-CSRF-Token": "x" * 40})
    assert missing.status_code == wrong.status_code == 403
    assert missing.get_json()["error"]["code"] == "csrf_failed"
    assert featured_of(db, cid) == (False, None)


def test_a_plain_form_features_and_returns_to_the_queue(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Without JavaScript the card's Feature button posts a form: 303 back to the queue, whose
    page then says so and shows the comment featured."""
    cid = held(db, state=State.PUBLISHED)
    resp = client.post(
        f"/moderation/comments/{cid}/act",
        data={
            "csrf_token": admin_csrf,
            "action": "feature",
            "expected": "published",
            "next": "/moderation/queue/published",
        },
        headers={"Accept": "text/html"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/moderation/queue/published"
    page = client.get("/moderation/queue/published", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert "Featured (\u2068Ada Reader\u2069)." in html
    assert 'class="badge featured"' in html and 'value="unfeature"' in html
    assert featured_of(db, cid)[0] is True


def test_a_comment_taken_down_meanwhile_is_a_conflict(app: Flask, db: Database) -> None:
    """A moderator features a comment a colleague has just taken down: 409 conflict naming
    its state now, nothing featured, no feature entry; the refreshed card has no button."""
    cid = held(db, state=State.PUBLISHED)
    first, second = app.test_client(), app.test_client()
    token1 = logged_in(first, db, "one@example.org")
    token2 = logged_in(second, db, "two@example.org")
    assert act(first, token1, cid, action="spam", expected="published").status_code == 200
    resp = act(second, token2, cid, action="feature", expected="published")
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "conflict" and "now rejected (spam)" in error["message"]
    assert featured_of(db, cid) == (False, None)
    assert "feature" not in [e.action for e in audit_of(db, cid)]
    card = second.get(f"/moderation/comments/{cid}/card").get_data(as_text=True)
    assert 'data-key="f"' not in card


def test_only_a_published_card_can_be_featured(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A feature request from a card showing a held comment is a 422 field error (the
    button is never offered there); a held card has no Feature button."""
    cid = held(db)
    resp = act(client, admin_csrf, cid, action="feature", expected="held")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["action"]["code"] == "action_not_allowed"
    assert featured_of(db, cid) == (False, None)
    card = client.get(f"/moderation/comments/{cid}/card").get_data(as_text=True)
    assert 'value="feature"' not in card
    bare = act(client, admin_csrf, cid, action="feature", expected="")  # no state sent
    assert bare.status_code == 422  # not "someone else acted" (found in review)
    assert bare.get_json()["error"]["fields"]["action"]["code"] == "action_not_allowed"


def test_a_moderator_cannot_feature_another_sites_comment(
    client: FlaskClient, db: Database
) -> None:
    """A moderator of one site gets the same 404 comment_not_found for another site's
    published comment as for any other action; their own site's comment is featured."""
    with db.session() as session:
        site_ops.create(session, "Other news", ["https://other.example"], slug="other")
        site_ops.create(session, "Mine", ["https://mine.example"], slug="mine")
    theirs = held(db, site="other", state=State.PUBLISHED)
    mine = held(db, site="mine", state=State.PUBLISHED)
    token = logged_in(client, db, "mod@example.org", role="moderator", sites=["mine"])
    resp = act(client, token, theirs, action="feature", expected="published")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "comment_not_found"
    assert featured_of(db, theirs) == (False, None)
    assert act(client, token, mine, action="feature", expected="published").status_code == 200
    assert featured_of(db, mine)[0] is True


def test_a_take_down_clears_the_flag_and_says_so_in_the_audit(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Taking a featured comment down clears the flag (the take-down's audit entry records
    ``was_featured``); published again, it is not featured until someone features it."""
    cid = held(db, state=State.PUBLISHED)
    act(client, admin_csrf, cid, action="feature", expected="published")
    assert act(client, admin_csrf, cid, action="toxic", expected="published").status_code == 200
    assert featured_of(db, cid) == (False, None)
    takedown = audit_of(db, cid)[-1]
    assert takedown.action == "takedown" and takedown.details["was_featured"] is True
    assert act(client, admin_csrf, cid, action="approve", expected="rejected").status_code == 200
    assert featured_of(db, cid) == (False, None)


def test_the_audit_log_lists_featuring_with_the_moderator(
    app: Flask, client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The admins' audit log, filtered to ``feature``, shows the entry with the moderator's
    e-mail; the CSV export carries it too."""
    cid = held(db, state=State.PUBLISHED)
    mod = app.test_client()
    token = logged_in(mod, db, "editor@example.org", role="moderator", sites=["default"])
    assert act(mod, token, cid, action="feature", expected="published").status_code == 200
    page = client.get("/moderation/audit?action=feature", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "editor@example.org" in html and cid in html
    csv = client.get("/moderation/audit.csv?action=unfeature").get_data(as_text=True)
    assert cid not in csv
    csv = client.get("/moderation/audit.csv?action=feature").get_data(as_text=True)
    assert f"feature,{cid}" in csv and "editor@example.org" in csv
