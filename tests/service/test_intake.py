"""POST /api/v1/comments: answers, errors, and what is (and is not) stored."""

from __future__ import annotations

from typing import Any

import pytest
import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import create_app
from service.embedded_redis import free_port
from service.security import ip_hash
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.conftest import SECRET
from tests.factories import payload, post, stored


def rows(db: Database) -> tuple[int, int]:
    """Return (comments, audit entries) stored."""
    with db.session() as session:
        comments = session.scalar(select(func.count()).select_from(Comment))
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    return int(comments or 0), int(audit or 0)


def test_accepts_a_json_comment_with_202_location_and_pending(
    client: FlaskClient, db: Database, redis_url: str
) -> None:
    """A valid comment is stored pending, queued by id, and answered 202 with its status URL."""
    rv = post(client)
    body = rv.get_json()
    assert rv.status_code == 202
    assert body["status"] == "pending"
    assert rv.headers["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/v1/comments/{body['id']}")
    with db.session() as session:
        comment = session.get(Comment, body["id"])
        assert comment is not None and comment.state == State.PENDING.value
    queued = redis_lib.from_url(redis_url).lrange("rq:queue:moderato", 0, -1)
    assert queued == [f"classify-{body['id']}".encode()]


def test_ids_are_opaque_and_unrelated(client: FlaskClient) -> None:
    """Comment ids are long random URL-safe strings, not sequential numbers."""
    first, second = (post(client).get_json()["id"] for _ in range(2))
    assert first != second
    assert len(first) >= 22 and not first.isdigit()


BAD_INPUTS: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "malformed json",
        {"data": b'{"thread": ', "content_type": "application/json"},
        400,
        "malformed_json",
    ),
    ("json array", {"data": b"[1, 2]", "content_type": "application/json"}, 400, "invalid_body"),
    ("plain text", {"data": b"hello", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ("no content type", {"data": b"thread=x"}, 415, "unsupported_media_type"),
    (
        "too large json",
        {"data": b'{"text": "' + b"x" * 70_000 + b'"}', "content_type": "application/json"},
        413,
        "payload_too_large",
    ),
    ("too large form", {"data": {"text": "x" * 70_000}}, 413, "payload_too_large"),
    ("missing fields", {"json": {"thread": "t"}}, 422, "validation_failed"),
    ("unknown site", {"json": payload(site="nowhere")}, 404, "site_not_found"),
    (
        "parent elsewhere",
        {"json": payload(parent="AAAAAAAAAAAAAAAAAAAAAA")},
        422,
        "validation_failed",
    ),
]


@pytest.mark.parametrize(
    ("case", "kwargs", "status", "code"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_gets_its_status_and_error_and_stores_nothing(
    client: FlaskClient, db: Database, case: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    """Each kind of bad input answers its status with the contract's error shape; nothing is stored."""
    before = rows(db)
    rv = client.post("/api/v1/comments", **kwargs)
    assert rv.status_code == status
    body = rv.get_json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert rows(db) == before


def test_a_422_lists_every_failing_field(client: FlaskClient) -> None:
    """The 422 answer names each failing field with its own code and message."""
    rv = client.post("/api/v1/comments", json={"thread": "t", "email": "nope", "url": "ftp://x"})
    fields = rv.get_json()["error"]["fields"]
    assert {k: v["code"] for k, v in fields.items()} == {
        "name": "required",
        "email": "invalid_email",
        "text": "required",
        "url": "invalid_url",
    }
    assert all(v["message"] for v in fields.values())


def test_a_reply_must_point_at_a_published_comment_of_the_same_thread(
    client: FlaskClient, db: Database
) -> None:
    """Replies are accepted to published comments of the thread, refused to held or foreign ones."""
    published = stored(db, state=State.PUBLISHED, thread="t-reply")
    held = stored(db, state=State.HELD, thread="t-reply")
    other = stored(db, state=State.PUBLISHED, thread="another-thread")
    assert post(client, thread="t-reply", parent=published.id).status_code == 202
    for parent in (held.id, other.id):
        rv = post(client, thread="t-reply", parent=parent)
        assert rv.status_code == 422
        assert rv.get_json()["error"]["fields"]["parent"]["code"] == "parent_not_found"


def test_unknown_extra_fields_are_ignored(client: FlaskClient) -> None:
    """Extra fields in the body do not prevent acceptance."""
    assert post(client, rating=5, nickname="x").status_code == 202


def test_form_post_from_a_browser_redirects_back_to_the_article(
    client: FlaskClient, db: Database
) -> None:
    """A no-JS form post is stored and answered 303 to its page with ?moderato=pending#comments."""
    rv = client.post(
        "/api/v1/comments",
        data=payload(),
        headers={"Accept": "text/html", "Referer": "http://localhost:8000/news/a?x=1"},
    )
    assert rv.status_code == 303
    assert rv.headers["Location"] == "http://localhost:8000/news/a?x=1&moderato=pending#comments"
    assert rows(db)[0] == 1


def test_form_post_from_a_foreign_page_lands_on_the_neutral_status_page(
    client: FlaskClient,
) -> None:
    """A form post whose Referer is not one of the site's origins is not sent back there."""
    rv = client.post(
        "/api/v1/comments",
        data=payload(),
        headers={"Accept": "text/html", "Referer": "https://evil.example/phish"},
    )
    assert rv.status_code == 303
    assert rv.headers["Location"].endswith("/status?moderato=pending#comments")
    assert "evil.example" not in rv.headers["Location"]


def test_form_post_from_an_api_client_gets_json(client: FlaskClient) -> None:
    """Form-encoded posts that do not ask for HTML get the JSON 202 answer."""
    rv = client.post("/api/v1/comments", data=payload())
    assert rv.status_code == 202 and rv.get_json()["status"] == "pending"


def test_keeps_a_keyed_hash_of_the_ip_and_the_user_agent_never_the_ip(
    client: FlaskClient, db: Database
) -> None:
    """Intake stores an HMAC of the client IP and the user agent; the raw IP appears nowhere."""
    rv = client.post(
        "/api/v1/comments",
        json=payload(),
        headers={"User-Agent": "TestBrowser/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None
        assert comment.ip_hash == ip_hash(SECRET, "203.0.113.7")
        assert comment.user_agent == "TestBrowser/1.0"
        values = [str(getattr(comment, col.key)) for col in Comment.__table__.columns]
    assert not any("203.0.113.7" in v for v in values)


def _ip_seen(app: Flask, db: Database, forwarded: str) -> str | None:
    rv = app.test_client().post(
        "/api/v1/comments",
        json=payload(),
        headers={"X-Forwarded-For": forwarded},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None
        return comment.ip_hash


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(
    settings: dict[str, Any], db: Database
) -> None:
    """With TRUSTED_PROXIES=0 the socket address counts; with 1, the proxy's X-Forwarded-For."""
    untrusted = create_app(settings)
    trusted = create_app({**settings, "TRUSTED_PROXIES": 1})
    assert _ip_seen(untrusted, db, "198.51.100.9") == ip_hash(SECRET, "10.0.0.1")
    assert _ip_seen(trusted, db, "198.51.100.9") == ip_hash(SECRET, "198.51.100.9")


def test_intake_answers_202_and_keeps_the_comment_when_redis_is_down(
    settings: dict[str, Any], db: Database
) -> None:
    """With Redis unreachable the comment is still stored pending and answered 202 (the sweep queues it)."""
    app = create_app({**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    rv = post(app.test_client())
    assert rv.status_code == 202
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None and comment.state == "pending"


def test_a_hung_redis_is_waited_for_once_per_post(
    settings: dict[str, Any], db: Database, tmp_path: Any, caplog: Any
) -> None:
    """A Redis that takes connections and never answers (stopped, a failover) made each post
    wait its timeout twice, in the rate limit and in the enqueue (found in review): after
    the rate limit's failure the post is stored and answered without trying the enqueue,
    and the sweep queues it."""
    import os
    import signal

    from service.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "hung").start()
    assert server.process is not None
    pid = server.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        app = create_app({**settings, "REDIS_URL": server.url})
        with caplog.at_level("WARNING"):
            rv = post(app.test_client())
    finally:
        os.kill(pid, signal.SIGCONT)
        server.stop()
    assert rv.status_code == 202
    messages = [r.getMessage() for r in caplog.records]
    assert any("rate limit not enforced" in m for m in messages)
    assert any("not queued: Redis failed this request" in m for m in messages)
    assert not any("could not enqueue comment" in m for m in messages)
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None and comment.state == "pending"


def test_intake_answers_503_with_retry_after_when_the_database_is_down(
    settings: dict[str, Any], tmp_path: Any
) -> None:
    """A database that cannot be opened yields 503 service_unavailable with Retry-After, not a 500."""
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{missing}"})
    rv = post(app.test_client())
    assert rv.status_code == 503
    assert rv.get_json()["error"]["code"] == "service_unavailable"
    assert rv.headers["Retry-After"] == "5"


def test_one_browser_client_is_rate_limited_at_the_default_and_keys_are_not(
    settings: dict[str, Any], db: Database
) -> None:
    """Without a key, one client (IP) may post a burst of 10, then gets 429 with Retry-After
    in the contract's error shape, and nothing more is stored; a no-JS form gets a page
    saying so. Another address is not affected (review finding: no limit at all)."""
    from service.config import DEFAULTS

    app = create_app({**settings, "ANON_RATE_PER_MINUTE": DEFAULTS["ANON_RATE_PER_MINUTE"],
                      "ANON_RATE_BURST": DEFAULTS["ANON_RATE_BURST"]})  # fmt: skip
    client = app.test_client()
    here = {"REMOTE_ADDR": "198.51.100.20"}
    codes = [
        client.post("/api/v1/comments", json=payload(), environ_base=here).status_code
        for _ in range(DEFAULTS["ANON_RATE_BURST"] + 1)
    ]
    assert codes[:-1] == [202] * DEFAULTS["ANON_RATE_BURST"] and codes[-1] == 429
    refused = client.post("/api/v1/comments", json=payload(), environ_base=here)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"]["code"] == "rate_limited"
    form = client.post("/api/v1/comments", data=payload(), environ_base=here,
                       headers={"Accept": "text/html"})  # fmt: skip
    assert form.status_code == 429 and form.mimetype == "text/html"
    assert "commenting too quickly" in form.get_data(as_text=True)
    other = {"REMOTE_ADDR": "198.51.100.21"}
    assert client.post("/api/v1/comments", json=payload(), environ_base=other).status_code == 202
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 11
