"""Authors edit and withdraw their own comment with the edit token of its 202, inside the
edit window: PATCH and DELETE /api/v1/comments/<id> (service/edits.py, service/api/edit.py)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from sqlalchemy import select

from service import sites as site_ops
from service.clock import travel, utcnow
from service.config import ConfigError, load
from service.enqueue import classify_job_id
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.privacy import erasure
from service.status import Rejection, State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from service.threads import update as update_thread
from tests.conftest import SECRET
from tests.factories import BENIGN, post
from tests.helpers import outbox_bodies

ORIGIN = "http://127.0.0.1:8000"  # one of the default site's origins
EDITED = "Thanks for the thorough reporting. I had not seen the council budget figures."


def posted(client: FlaskClient, db: Database, state: State = State.PUBLISHED, **fields: Any) -> Any:
    """Post a comment through the API and let the worker's move put it in ``state``;
    return the 202's body (id, edit token, window)."""
    body = post(client, **fields).get_json()
    if state is not State.PENDING:
        rejection = Rejection.SPAM if state is State.REJECTED else None
        change = Change(State.PENDING, state, "system:worker", "classify", rejection=rejection)
        with db.session() as session:
            assert transition(session, body["id"], change) is not None
    return body


def edit(client: FlaskClient, body: dict[str, Any], text: str = EDITED, **headers: str) -> Any:
    """PATCH the comment of ``body`` with its token (unless ``headers`` name another)."""
    sent = {"Moderato-Edit-Token": body["edit_token"], **headers}
    return client.patch(f"/api/v1/comments/{body['id']}", json={"text": text}, headers=sent)


def withdraw(client: FlaskClient, body: dict[str, Any], **headers: str) -> Any:
    sent = {"Moderato-Edit-Token": body["edit_token"], **headers}
    return client.delete(f"/api/v1/comments/{body['id']}", headers=sent)


def row(db: Database, comment_id: str) -> Comment:
    with db.session() as session:
        found = session.get(Comment, comment_id)
        assert found is not None
        return found


def audit(db: Database, comment_id: str) -> list[tuple[str, str, str | None, str | None]]:
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.comment_id == comment_id).order_by(AuditEntry.id)
        )
        return [(e.actor, e.action, e.from_state, e.to_state) for e in entries]


def listed(client: FlaskClient, thread: str = "article-1") -> list[str]:
    return [i["text"] for i in client.get(f"/api/v1/comments?thread={thread}").get_json()["items"]]


def site_key(db: Database, name: str) -> dict[str, str]:
    """Create a site; return the Authorization header of its first key."""
    with db.session() as session:
        created = site_ops.create(session, name, ["https://news.example"])
        return {"Authorization": f"Bearer {created.api_key}"}


def subscribe(db: Database, *events: str) -> None:
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        create_endpoint(session, site, "http://127.0.0.1:9/hooks", list(events), allow_private=True)


def test_every_accepted_comment_gets_an_edit_token_stored_only_as_its_hash(
    client: FlaskClient, db: Database
) -> None:
    """The 202 carries a URL-safe token of at least 128 random bits and the window's end
    (RFC 3339, UTC, 15 minutes on); the database holds the token's SHA-256, never it."""
    before = utcnow()
    body = post(client).get_json()
    token = body["edit_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token)  # 32 bytes: 256 bits
    until = datetime.fromisoformat(body["edit_until"].replace("Z", "+00:00"))
    assert body["edit_until"].endswith("Z")
    assert timedelta(minutes=15) <= until - before < timedelta(minutes=15, seconds=5)
    stored = row(db, body["id"])
    assert stored.edit_token_hash == hashlib.sha256(token.encode()).hexdigest()
    with db.engine.connect() as conn:
        dump = "\n".join(conn.connection.driver_connection.iterdump())  # type: ignore[union-attr]
    assert token not in dump
    assert post(client).get_json()["edit_token"] != token


def test_an_edit_replaces_the_text_and_sends_it_back_to_the_classifier(
    client: FlaskClient, db: Database, redis_url: str
) -> None:
    """A published comment edited with its token: 202 pending, the new text (and its HTML),
    edited_at, the text before kept for moderators, revision 1, its job queued under an id
    of its own, an audit entry (edited, by the author, published → pending), a
    comment.edited webhook with the new text; the thread no longer lists the old text."""
    subscribe(db, "comment.edited", "comment.moderated")
    body = posted(client, db)
    assert listed(client) == [BENIGN]
    rv = edit(client, body)
    assert rv.status_code == 202, rv.get_json()
    answer = rv.get_json()
    assert answer["status"] == "pending" and answer["edited_at"]
    assert answer["edit_until"] == body["edit_until"]  # an edit does not extend the window
    assert rv.headers["Location"] == answer["status_url"]
    comment = row(db, body["id"])
    assert (comment.state, comment.text, comment.previous_text) == ("pending", EDITED, BENIGN)
    assert "council budget" in comment.html and comment.revision == 1
    assert comment.spam is None and comment.decision is None
    assert audit(db, body["id"])[-1] == ("author", "edited", "published", "pending")
    assert listed(client) == []
    waiting = Queue("moderato", connection=Redis.from_url(redis_url)).get_job_ids()
    assert classify_job_id(body["id"], 1) in waiting
    [event] = [e for e in outbox_bodies(db) if e["type"] != "comment.received"]
    assert event["type"] == "comment.edited"
    assert event["data"]["text"] == EDITED and event["data"]["status"] == "pending"
    assert event["data"]["previous_status"] == "published" and event["data"]["edited_at"]
    assert "ada@example.org" not in str(event)


def test_an_edit_naming_a_stale_revision_is_a_conflict(client: FlaskClient, db: Database) -> None:
    """Two tabs show revision 0; the first saves (202, revision 1); the second, still on
    revision 0, gets 409 edit_conflict and the first tab's text stays. The listing and the
    answers name the revision; an edit without one (an API client) still works."""
    body = posted(client, db)
    assert client.get("/api/v1/comments?thread=article-1").get_json()["items"][0]["revision"] == 0
    url, token = f"/api/v1/comments/{body['id']}", {"Moderato-Edit-Token": body["edit_token"]}
    first = client.patch(url, json={"text": EDITED, "revision": 0}, headers=token)
    assert first.status_code == 202 and first.get_json()["revision"] == 1
    stale = client.patch(url, json={"text": "The other tab's words.", "revision": 0}, headers=token)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "edit_conflict"
    assert (row(db, body["id"]).text, row(db, body["id"]).revision) == (EDITED, 1)
    fresh = client.patch(url, data={"text": "Form-encoded, current.", "revision": "1"},
                         headers=token)  # fmt: skip
    assert fresh.status_code == 202 and fresh.get_json()["revision"] == 2
    assert edit(client, body).get_json()["revision"] == 3  # no revision named: any


@pytest.mark.parametrize("bad", [-1, 1.5, "one", True, "\u0663"])
def test_a_malformed_revision_is_a_field_error(client: FlaskClient, db: Database, bad: Any) -> None:
    """A revision that is not a whole number: 422 invalid_revision, with the text's errors."""
    body = posted(client, db)
    rv = client.patch(f"/api/v1/comments/{body['id']}", json={"text": "", "revision": bad},
                      headers={"Moderato-Edit-Token": body["edit_token"]})  # fmt: skip
    assert rv.status_code == 422
    fields = rv.get_json()["error"]["fields"]
    assert (fields["revision"]["code"], fields["text"]["code"]) == ("invalid_revision", "required")


def test_a_held_or_pending_comment_can_be_edited_too(client: FlaskClient, db: Database) -> None:
    """Held goes back to pending; pending stays pending with a new revision."""
    held = posted(client, db, State.HELD)
    assert edit(client, held).status_code == 202
    assert row(db, held["id"]).state == "pending"
    fresh = posted(client, db, State.PENDING)
    assert edit(client, fresh).status_code == 202
    assert edit(client, fresh, text=EDITED + " And more.").status_code == 202
    comment = row(db, fresh["id"])
    assert (comment.state, comment.revision, comment.previous_text) == ("pending", 2, EDITED)
    assert [a[1:] for a in audit(db, fresh["id"])][-2:] == [("edited", "pending", "pending")] * 2


def test_the_same_text_again_changes_nothing(client: FlaskClient, db: Database) -> None:
    """An edit that keeps the text (trimmed as intake trims it) answers 200 and leaves the
    comment published: nothing to decide again."""
    body = posted(client, db)
    rv = edit(client, body, text=f"  {BENIGN}\r\n")
    assert rv.status_code == 200 and rv.get_json()["status"] == "published"
    assert rv.get_json()["edited_at"] is None
    assert row(db, body["id"]).revision == 0


def test_a_wrong_or_missing_token_is_refused(client: FlaskClient, db: Database) -> None:
    """Another comment's token, a made-up one or none: 403 invalid_edit_token, nothing changed."""
    body, other = posted(client, db), posted(client, db)
    for headers in (
        {"Moderato-Edit-Token": other["edit_token"]},
        {"Moderato-Edit-Token": "not-the-token"},
        {"Moderato-Edit-Token": ""},
    ):
        for rv in (edit(client, body, **headers), withdraw(client, body, **headers)):
            assert rv.status_code == 403
            assert rv.get_json()["error"]["code"] == "invalid_edit_token"
    bare = client.patch(f"/api/v1/comments/{body['id']}", json={"text": EDITED})
    assert bare.get_json()["error"]["code"] == "invalid_edit_token"
    assert row(db, body["id"]).text == BENIGN and row(db, body["id"]).state == "published"


def test_after_the_window_the_token_no_longer_edits_or_withdraws(
    client: FlaskClient, db: Database
) -> None:
    """16 minutes after posting (the clock moved, no sleeping): 403 edit_window_closed for
    both; a minute before the end it still works."""
    body = posted(client, db)
    with travel(timedelta(minutes=14)):
        assert edit(client, body).status_code == 202
    with travel(timedelta(minutes=16)):
        for rv in (edit(client, body, text="Later."), withdraw(client, body)):
            assert rv.status_code == 403
            assert rv.get_json()["error"]["code"] == "edit_window_closed"
    assert row(db, body["id"]).text == EDITED


def test_a_rejected_comment_is_not_editable(client: FlaskClient, db: Database) -> None:
    """A comment a moderator rejected (as spam here) is out of the thread, as they judged
    it: 409 not_editable for an edit and for a withdrawal, which erases nothing."""
    body = posted(client, db)
    spam = Change(State.PUBLISHED, State.REJECTED, "user:1", "spam", rejection=Rejection.SPAM)
    with db.session() as session:
        assert transition(session, body["id"], spam) is not None
    for rv in (edit(client, body), withdraw(client, body)):
        assert rv.status_code == 409
        assert rv.get_json()["error"]["code"] == "not_editable"
        assert "spam" not in rv.get_json()["error"]["message"]
    assert (row(db, body["id"]).rejection, row(db, body["id"]).text) == ("spam", BENIGN)


def test_a_comment_edited_into_spam_and_rejected_can_still_be_withdrawn(
    client: FlaskClient, db: Database
) -> None:
    """The classifier rejected the edited text: the author cannot edit it again (409
    not_editable), but may still withdraw it inside the window: withdrawn and erased, and
    a moderator can no longer restore it from the Spam queue."""
    body = posted(client, db)
    assert edit(client, body, text="Buy cheap pills at casino-bonus.example").status_code == 202
    worker = Change(State.PENDING, State.REJECTED, "system:worker", "classify",
                    rejection=Rejection.SPAM, revision=1)  # fmt: skip
    with db.session() as session:
        assert transition(session, body["id"], worker) is not None
    again = edit(client, body)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_editable"
    rv = withdraw(client, body)
    assert rv.status_code == 200
    assert rv.get_json() == {"id": body["id"], "status": "rejected", "rejection": "withdrawn"}
    comment = row(db, body["id"])
    assert (comment.text, comment.previous_text, comment.author_email) == ("", None, "")
    assert audit(db, body["id"])[-1] == ("author", "withdrawn", "rejected", "rejected")
    ham = Change(State.REJECTED, State.PUBLISHED, "user:1", "ham")
    with db.session() as session:
        assert transition(session, body["id"], ham) is None
    assert withdraw(client, body).get_json() == rv.get_json()


def test_a_withdrawal_of_a_classifier_rejection_loses_to_a_moderator_meanwhile(
    client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The withdrawal read a comment the classifier rejected; before its take-down a
    moderator published it ("not spam") and rejected it again: the moderator's rejection
    stands (409 not_editable, nothing erased), though the state and the reason read the
    same as before."""
    body = posted(client, db, State.REJECTED, text="A fine comment misjudged twice.")
    real = erasure._take_down

    def moderator_meanwhile(session: Any, comment: Any, *args: Any, **kwargs: Any) -> Any:
        ham = Change(State.REJECTED, State.PUBLISHED, "user:1", "ham")
        spam = Change(State.PUBLISHED, State.REJECTED, "user:1", "spam", rejection=Rejection.SPAM)
        with db.session() as other:
            assert transition(other, comment.id, ham) is not None
            assert transition(other, comment.id, spam) is not None
        return real(session, comment, *args, **kwargs)

    monkeypatch.setattr(erasure, "_take_down", moderator_meanwhile)
    rv = withdraw(client, body)
    assert rv.status_code == 409 and rv.get_json()["error"]["code"] == "not_editable"
    comment = row(db, body["id"])
    assert (comment.rejection, comment.text) == ("spam", "A fine comment misjudged twice.")


def test_unknown_comments_are_404(client: FlaskClient) -> None:
    """An id nobody has, or not shaped like one: 404 comment_not_found."""
    for comment_id in ("AAAAAAAAAAAAAAAAAAAAAA", "nope"):
        fake = {"id": comment_id, "edit_token": "x"}
        for rv in (edit(client, fake), withdraw(client, fake)):
            assert rv.status_code == 404
            assert rv.get_json()["error"]["code"] == "comment_not_found"


@pytest.mark.parametrize(
    ("text", "code"),
    [("   ", "required"), ("x" * 5001, "too_long"), ("bell \x07", "control_characters"), (7, "invalid_type")],
)  # fmt: skip
def test_the_new_text_is_validated_exactly_like_at_intake(
    client: FlaskClient, db: Database, text: Any, code: str
) -> None:
    """Each bad text gets the 422 intake gives it, field by field, and changes nothing."""
    body = posted(client, db)
    rv = edit(client, body, text=text)
    assert rv.status_code == 422
    at_intake = post(client, text=text).get_json()["error"]
    assert rv.get_json()["error"]["fields"] == {"text": at_intake["fields"]["text"]}
    assert at_intake["fields"]["text"]["code"] == code
    assert row(db, body["id"]).text == BENIGN


def test_edits_from_the_browser_are_rate_limited(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """Edits share the comment form's per-client limit: 429 with Retry-After."""
    body = posted(client, db)
    app.config.update(ANON_RATE_PER_MINUTE=1, ANON_RATE_BURST=1)
    answers = [edit(client, body, text=f"{EDITED} {i}") for i in range(3)]
    assert answers[-1].status_code == 429
    assert answers[-1].get_json()["error"]["code"] == "rate_limited"
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_a_withdrawn_comment_leaves_its_thread_erased(client: FlaskClient, db: Database) -> None:
    """DELETE with the token: rejected (withdrawn) at once, its text and the author's data
    erased as a privacy erasure does, its earlier webhook bodies rewritten, an audit entry
    by the author; its replies stay (a reply becomes the root of its conversation); a
    second DELETE answers the same."""
    subscribe(db, "comment.received", "comment.rejected", "comment.moderated")
    body = posted(client, db, email="Withdrawer@Example.org", text="I regret writing this.")
    reply = posted(client, db, parent=body["id"], text="A reply that stays.")
    rv = withdraw(client, body)
    assert rv.status_code == 200
    assert rv.get_json() == {"id": body["id"], "status": "rejected", "rejection": "withdrawn"}
    comment = row(db, body["id"])
    assert (comment.text, comment.author_email, comment.author_name) == ("", "", "[erased]")
    assert comment.ip_hash is None and comment.avatar == "" and comment.previous_text is None
    assert audit(db, body["id"])[-1] == ("author", "withdrawn", "published", "rejected")
    assert listed(client) == ["A reply that stays."]
    assert row(db, reply["id"]).parent_id == body["id"]
    bodies = outbox_bodies(db)
    assert "regret" not in str(bodies) and "withdrawer@example.org" not in str(bodies).lower()
    mine = [e["type"] for e in bodies if e["data"]["id"] == body["id"]]
    assert mine == ["comment.received", "comment.rejected"]  # no comment.moderated
    rejected = next(e for e in bodies if e["type"] == "comment.rejected")
    assert rejected["data"]["rejection"] == "withdrawn"
    assert withdraw(client, body).get_json() == rv.get_json()


def test_a_withdrawn_comment_cannot_be_published_again(client: FlaskClient, db: Database) -> None:
    """The lifecycle refuses rejected → published for a withdrawn comment, whoever asks."""
    body = posted(client, db)
    withdraw(client, body)
    for action in ("approve", "ham"):
        change = Change(State.REJECTED, State.PUBLISHED, "user:1", action)
        with db.session() as session:
            assert transition(session, body["id"], change) is None
    assert row(db, body["id"]).state == "rejected"


def test_a_withdrawal_that_loses_the_race_to_a_moderators_rejection_changes_nothing(
    client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A moderator rejects the comment after the withdrawal read it, before its take-down:
    the withdrawal answers 409 not_editable as if the moderator had been first, and the
    comment stays as the moderator left it (text kept, a moderator can still restore it);
    it was an erased shell with rejection spam that "not spam" could publish (review)."""
    body = posted(client, db, text="A fine comment a moderator will misjudge.")
    real = erasure._take_down

    def moderator_first(session: Any, comment: Any, *args: Any, **kwargs: Any) -> Any:
        spam = Change(State.PUBLISHED, State.REJECTED, "user:1", "spam", rejection=Rejection.SPAM)
        with db.session() as other:  # the moderator's own request, committed first
            assert transition(other, comment.id, spam) is not None
        return real(session, comment, *args, **kwargs)

    monkeypatch.setattr(erasure, "_take_down", moderator_first)
    rv = withdraw(client, body)
    assert rv.status_code == 409
    assert rv.get_json()["error"]["code"] == "not_editable"
    comment = row(db, body["id"])
    assert (comment.state, comment.rejection) == ("rejected", "spam")
    assert comment.text == "A fine comment a moderator will misjudge."
    assert [a for _, a, _, _ in audit(db, body["id"])][-1] == "spam"


def test_an_edit_under_a_closed_thread_is_refused_but_a_withdrawal_is_not(
    client: FlaskClient, db: Database
) -> None:
    """Closing a thread stops new words in it, edits included (403 thread_closed); taking
    one's own comment away is still allowed."""
    body = posted(client, db)
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        update_thread(session, site, "article-1", actor="user:1", closed=True)
    rv = edit(client, body)
    assert rv.status_code == 403 and rv.get_json()["error"]["code"] == "thread_closed"
    assert withdraw(client, body).status_code == 200


def test_the_sites_pages_may_edit_from_the_browser_and_no_others(
    client: FlaskClient, db: Database
) -> None:
    """CORS: a preflight from one of the site's origins may send PATCH and DELETE with the
    token header; another origin's preflight and request are refused (403)."""
    body = posted(client, db)
    path = f"/api/v1/comments/{body['id']}"
    for method in ("PATCH", "DELETE"):
        ask = {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, moderato-edit-token",
        }
        rv = client.options(path, headers=ask)
        assert rv.status_code == 204
        assert rv.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert method in rv.headers["Access-Control-Allow-Methods"]
        assert "Moderato-Edit-Token" in rv.headers["Access-Control-Allow-Headers"]
        foreign = client.options(path, headers={**ask, "Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert "Access-Control-Allow-Origin" not in foreign.headers
    refused = edit(client, body, Origin="https://evil.example")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "origin_not_allowed"
    rv = edit(client, body, Origin=ORIGIN)
    assert rv.status_code == 202 and rv.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_sites_server_edits_with_its_key_and_its_readers_token(
    client: FlaskClient, db: Database
) -> None:
    """A keyed post's 202 carries a token too; the site's server sends it with its key
    (the key's own limit); another site's key does not find the comment."""
    key, other = site_key(db, "News Example"), site_key(db, "Other Paper")
    body = client.post(
        "/api/v1/comments", json={"thread": "t", "name": "Ada", "email": "ada@example.org",
                                  "text": BENIGN, "user_ip": "198.51.100.4"}, headers=key,
    ).get_json()  # fmt: skip
    assert edit(client, body, **other).status_code == 404
    assert edit(client, body, **key).status_code == 202


def test_a_replayed_intake_answer_carries_a_token_that_replaces_the_first(
    client: FlaskClient, db: Database
) -> None:
    """An Idempotency-Key replay cannot show the first token again (only its hash is
    kept): it carries a new one, and only the new one works."""
    headers = {**site_key(db, "News Example"), "Idempotency-Key": "edit-replay"}
    sent = {"thread": "t", "name": "Ada", "email": "ada@example.org", "text": BENIGN,
            "user_ip": "198.51.100.4"}  # fmt: skip
    first = client.post("/api/v1/comments", json=sent, headers=headers).get_json()
    again = client.post("/api/v1/comments", json=sent, headers=headers).get_json()
    assert again["id"] == first["id"] and again["edit_until"] == first["edit_until"]
    assert edit(client, first).status_code == 403
    assert edit(client, again).status_code == 202


def test_with_the_window_at_zero_there_is_no_token_and_nothing_to_edit(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """MODERATO_EDIT_WINDOW=0 turns the feature off: no token in the 202, and a token from
    before stops working (403 edit_window_closed)."""
    body = posted(client, db)
    app.config["EDIT_WINDOW"] = 0
    assert set(post(client).get_json()) == {"id", "status", "status_url"}
    assert edit(client, body).get_json()["error"]["code"] == "edit_window_closed"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "900", 7 * 24 * 3600 + 1])
def test_a_bad_edit_window_is_refused_at_start(tmp_path: Any, bad: Any) -> None:
    """The window is a whole number of seconds from 0 to a week, checked at start."""
    with pytest.raises(ConfigError, match="MODERATO_EDIT_WINDOW"):
        load(str(tmp_path), {"SECRET_KEY": SECRET, "EDIT_WINDOW": bad})
    assert load(str(tmp_path), {"SECRET_KEY": SECRET, "EDIT_WINDOW": 0})["EDIT_WINDOW"] == 0


def test_the_text_before_an_edit_is_exported_and_erased_with_the_comment(
    client: FlaskClient, db: Database
) -> None:
    """A privacy export lists when the author edited and the text before; an erasure of
    the address removes that text with the rest."""
    from service import privacy

    body = posted(client, db)
    edit(client, body)
    with db.session() as session:
        [found] = privacy.export(session, "ada@example.org")["comments"]
    assert (found["text"], found["previous_text"]) == (EDITED, BENIGN)
    assert found["edited_at"] is not None
    with db.session() as session:
        privacy.erase(session, "ada@example.org", "user:1")
    comment = row(db, body["id"])
    assert (comment.text, comment.previous_text) == ("", None)


def test_the_no_js_form_gets_no_edit_token(client: FlaskClient) -> None:
    """A browser form without JavaScript is redirected back to its page: no token, in the
    body or the address (the no-JS form offers no edits)."""
    rv = client.post(
        "/api/v1/comments",
        data={"thread": "t", "name": "Ada", "email": "ada@example.org", "text": BENIGN},
        headers={"Accept": "text/html", "Referer": f"{ORIGIN}/article"},
    )
    assert rv.status_code == 303
    assert "edit" not in rv.headers["Location"] and b"edit" not in rv.data
