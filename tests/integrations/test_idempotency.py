"""``Idempotency-Key`` on a site server's comments: a retry is answered, not stored twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from service import idempotency
from service.clock import utcnow
from service.status import State
from service.store import Database
from service.store.tables import Comment, IdempotencyKey
from tests.factories import count_comments, payload
from tests.integrations.conftest import bearer


def test_a_retry_with_the_same_key_gets_the_first_answer(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """Same key and body: the same 202 (id, Location, edit window), flagged as a replay, one
    comment, with a new edit token in place of the first (only its hash was kept); another
    body: 409 idempotency_conflict; another site may use the same key; a new key stores a
    new comment."""
    site, other = make_site(), make_site("Other Paper")
    key = {**bearer(site.tokens["first"]), "Idempotency-Key": "3f1c-retry-1"}
    body = payload(user_ip="198.51.100.4", thread="idem")
    first = client.post("/api/v1/comments", json=body, headers=key)
    assert first.status_code == 202 and "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/comments", json=dict(reversed(list(body.items()))), headers=key)
    assert again.status_code == 202
    replay, original = again.get_json(), first.get_json()
    assert replay.pop("edit_token") != original.pop("edit_token")
    assert replay == original
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_comments(db) == 1

    changed = client.post("/api/v1/comments", json={**body, "text": "Something else."}, headers=key)
    assert changed.status_code == 409
    assert changed.get_json()["error"]["code"] == "idempotency_conflict"
    theirs = client.post(
        "/api/v1/comments",
        json=body,
        headers={**bearer(other.tokens["first"]), "Idempotency-Key": "3f1c-retry-1"},
    )
    assert theirs.status_code == 202 and theirs.get_json()["id"] != first.get_json()["id"]
    fresh = client.post(
        "/api/v1/comments", json=body, headers={**key, "Idempotency-Key": "3f1c-retry-2"}
    )
    assert fresh.status_code == 202 and count_comments(db) == 3


def test_a_key_is_kept_for_a_day_and_must_be_printable(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """Past a day the key is free again (the sweep purges it); a malformed key is a 400."""
    site = make_site()
    key = {**bearer(site.tokens["first"]), "Idempotency-Key": "day-old"}
    assert client.post("/api/v1/comments", json=payload(), headers=key).status_code == 202
    with db.session() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    again = client.post("/api/v1/comments", json=payload(), headers=key)
    assert again.status_code == 202 and "Idempotent-Replayed" not in again.headers
    assert count_comments(db) == 2
    with db.session() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
        assert idempotency.purge(session) == 1
        assert session.scalars(select(IdempotencyKey)).all() == []
    for bad in ("x" * 256, "  ", "caf\u00e9"):
        rv = client.post(
            "/api/v1/comments", json=payload(), headers={**key, "Idempotency-Key": bad}
        )
        assert rv.status_code == 400, bad
        assert rv.get_json()["error"]["code"] == "invalid_idempotency_key"


def test_concurrent_retries_with_one_key_store_one_comment(
    app: Any, db: Database, make_site: Any
) -> None:
    """Eight requests with one key at once (a client retrying too eagerly): all 202 with
    one id, one comment stored, whichever transaction commits first."""
    import threading

    site = make_site()
    headers = {**bearer(site.tokens["first"]), "Idempotency-Key": "burst"}
    body = payload(user_ip="198.51.100.8", thread="burst")
    start = threading.Barrier(8)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        client = app.test_client()
        start.wait()
        rv = client.post("/api/v1/comments", json=body, headers=headers)
        answers.append((rv.status_code, (rv.get_json() or {}).get("id", "")))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 8
    assert {status for status, _ in answers} == {202}, answers
    assert len({cid for _, cid in answers}) == 1
    assert count_comments(db) == 1


def test_an_erasure_keeps_the_key_but_not_the_fingerprint_of_the_body(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """The key's fingerprint hashes a body that holds the address and the text: an erasure
    of the address drops it (found in re-review), but keeps the key, so the site server's
    retry of the original POST is answered with the erased comment (rejected, no edit
    token) instead of storing it, and its words, again."""
    from service import privacy

    site = make_site()
    headers = {**bearer(site.tokens["first"]), "Idempotency-Key": "to-erase"}
    first = client.post("/api/v1/comments", json=payload(), headers=headers)
    assert first.status_code == 202
    privacy.erase_in_batches(db, "ada@example.org", "cli")
    with db.session() as session:
        prints = session.scalars(select(IdempotencyKey.fingerprint)).all()
    assert prints == [idempotency.ERASED]
    retry = client.post("/api/v1/comments", json=payload(), headers=headers)
    assert retry.status_code == 202 and retry.headers["Idempotent-Replayed"] == "true"
    was = first.get_json()
    assert retry.get_json() == {"id": was["id"], "status": "rejected",
                                "status_url": was["status_url"]}  # fmt: skip
    assert count_comments(db) == 1


def test_a_withdrawn_comment_is_not_stored_again_by_a_retry(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """A site server's retry of the original POST (same key, same body) after its reader
    withdrew the comment gets the withdrawn comment's id, status rejected, no edit token:
    nothing withdrawn comes back; its key keeps no fingerprint of the erased body."""
    site = make_site()
    headers = {**bearer(site.tokens["first"]), "Idempotency-Key": "withdrawn-retry"}
    body = payload(user_ip="198.51.100.4", thread="idem")
    first = client.post("/api/v1/comments", json=body, headers=headers).get_json()
    token = {"Moderato-Edit-Token": first["edit_token"]}
    gone = client.delete(f"/api/v1/comments/{first['id']}", headers={**headers, **token})
    assert gone.status_code == 200 and gone.get_json()["rejection"] == "withdrawn"
    retry = client.post("/api/v1/comments", json=body, headers=headers)
    assert retry.status_code == 202 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == {"id": first["id"], "status": "rejected",
                                "status_url": first["status_url"]}  # fmt: skip
    assert count_comments(db) == 1
    with db.session() as session:
        prints = session.scalars(select(IdempotencyKey.fingerprint)).all()
    assert prints == [idempotency.ERASED]


def test_a_replay_names_the_comments_state_now(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """A retry after the worker (or a moderator) decided the comment answers its state now
    (here published), not the first answer's pending, with the same id and Location."""
    site = make_site()
    key = {**bearer(site.tokens["first"]), "Idempotency-Key": "3f1c-decided-1"}
    body = payload(user_ip="198.51.100.4", thread="idem-decided")
    first = client.post("/api/v1/comments", json=body, headers=key)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == first.get_json()["id"])
            .values(state=State.PUBLISHED.value)
        )
    retry = client.post("/api/v1/comments", json=body, headers=key)
    assert retry.status_code == 202 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["status"] == "published"
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert retry.headers["Location"] == first.headers["Location"]
