"""Readers' reports: POST /api/v1/comments/<id>/reports, and what answers them."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from service import reports
from service.lifecycle import Change, transition
from service.status import Rejection, State
from service.store import Database
from service.store.tables import Report
from tests.factories import stored

ALLOWED = "http://127.0.0.1:8000"


def _report(client: FlaskClient, comment_id: str, **body: object) -> TestResponse:
    return client.post(f"/api/v1/comments/{comment_id}/reports", json=body)


def _rows(db: Database) -> list[Report]:
    with db.session() as session:
        return list(session.scalars(select(Report).order_by(Report.id)))


def _from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_reader_reports_a_published_comment_once(app: Flask, db: Database) -> None:
    """202 with the reason and an optional note; the same reader again changes nothing
    (and is told the same); another reader adds a second report."""
    comment_id = stored(db, state=State.PUBLISHED).id
    ada, bob = _from(app, "198.51.100.1"), _from(app, "198.51.100.2")
    rv = _report(ada, comment_id, reason="abusive", note="  Insults another reader.  ")
    assert rv.status_code == 202
    assert rv.get_json() == {"id": comment_id, "reported": True}
    assert _report(ada, comment_id, reason="spam").status_code == 202
    form = bob.post(f"/api/v1/comments/{comment_id}/reports", data={"reason": "spam"})
    assert form.status_code == 202
    rows = _rows(db)
    assert [(r.reason, r.note) for r in rows] == [
        ("abusive", "Insults another reader."),
        ("spam", None),
    ]
    assert rows[0].ip_hash and rows[0].ip_hash != rows[1].ip_hash and rows[0].resolved_at is None


def test_only_published_comments_can_be_reported(client: FlaskClient, db: Database) -> None:
    """A held, pending or rejected comment, or no comment at all, is a 404: readers see
    published comments only, and the answer reveals nothing about the others."""
    for state in (State.HELD, State.PENDING, State.REJECTED):
        comment_id = stored(db, state=state).id
        rv = _report(client, comment_id, reason="spam")
        assert rv.status_code == 404, state
        assert rv.get_json()["error"]["code"] == "comment_not_found"
    assert _report(client, "no-such-comment-id-at-all", reason="spam").status_code == 404
    assert _rows(db) == []


def test_bad_reports_name_every_bad_field(client: FlaskClient, db: Database) -> None:
    """A missing or unknown reason and a note over 500 characters: 422, all at once."""
    comment_id = stored(db, state=State.PUBLISHED).id
    rv = _report(client, comment_id, note="x" * 501)
    fields = rv.get_json()["error"]["fields"]
    assert {k: v["code"] for k, v in fields.items()} == {"reason": "required", "note": "too_long"}
    rv = _report(client, comment_id, reason="boring", note=3)
    fields = rv.get_json()["error"]["fields"]
    assert {k: v["code"] for k, v in fields.items()} == {
        "reason": "invalid_choice",
        "note": "invalid_type",
    }


def test_a_foreign_page_cannot_report(client: FlaskClient, db: Database) -> None:
    """Browsers report from the site's origins only, like they comment."""
    comment_id = stored(db, state=State.PUBLISHED).id
    ok = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "spam"},
        headers={"Origin": ALLOWED},
    )
    assert ok.status_code == 202 and ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    foreign = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "spam"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403


def test_reports_share_the_comment_forms_rate_limit(app: Flask, db: Database) -> None:
    """One client reporting in a burst gets 429 with Retry-After past ANON_RATE_BURST."""
    app.config.update(ANON_RATE_PER_MINUTE=1, ANON_RATE_BURST=2)
    ids = [stored(db, state=State.PUBLISHED).id for _ in range(3)]
    client = _from(app, "203.0.113.9")
    codes = [_report(client, i, reason="spam").status_code for i in ids]
    assert codes[:2] == [202, 202] and codes[2] == 429


def test_taking_a_comment_down_answers_its_reports(db: Database) -> None:
    """The lifecycle closes a comment's open reports when it leaves published."""
    comment_id = stored(db, state=State.PUBLISHED).id
    with db.session() as session:
        comment = session.get(reports.Comment, comment_id)
        assert comment is not None
        reports.add(session, comment, "abusive", None, "a" * 64)
    with db.session() as session:
        change = Change(
            expected=State.PUBLISHED,
            new=State.REJECTED,
            actor="user:1",
            action="takedown",
            rejection=Rejection.TOXIC,
        )
        assert transition(session, comment_id, change) is not None
    (row,) = _rows(db)
    assert (row.resolution, row.resolved_by) == ("taken_down", "user:1") and row.resolved_at


def test_a_new_report_is_a_signed_webhook_event(client: FlaskClient, db: Database) -> None:
    """comment.reported goes to subscribers with the reason and the open count, in the
    documented shape; a repeat by the same reader sends nothing."""
    import json

    from service.integrations.webhooks import create_endpoint
    from service.store.tables import Site
    from tests.helpers import assert_documented_webhook, outbox_bodies

    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(
            session, site, "http://127.0.0.1:9/in", ["comment.reported"], allow_private=True
        )
    comment_id = stored(db, state=State.PUBLISHED).id
    assert _report(client, comment_id, reason="abusive", note="rude").status_code == 202
    assert _report(client, comment_id, reason="spam").status_code == 202  # same reader
    (event,) = outbox_bodies(db)
    assert event["type"] == "comment.reported" and event["data"]["id"] == comment_id
    assert event["data"]["report"] == {"reason": "abusive", "open_reports": 1}
    assert "rude" not in json.dumps(event)  # the reader's note stays with the moderators
    assert_documented_webhook(client, event)


def test_one_ipv6_network_is_one_reader(app: Flask, db: Database) -> None:
    """Addresses of one IPv6 /64 are one reader for the one-report rule (and the rate
    limit): a subscriber's whole /64 was billions of readers (found in review)."""
    comment_id = stored(db, state=State.PUBLISHED).id
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:3::1"):
        assert _report(_from(app, host), comment_id, reason="spam").status_code == 202
    assert len(_rows(db)) == 2


def test_control_characters_are_refused_not_a_server_error(
    client: FlaskClient, db: Database
) -> None:
    """A NUL in a report note or in a thread name is a 422 field error (it was a 500 on
    PostgreSQL; found in review)."""
    comment_id = stored(db, state=State.PUBLISHED).id
    rv = _report(client, comment_id, reason="spam", note="a\x00b")
    assert rv.get_json()["error"]["fields"]["note"]["code"] == "control_characters"
    for path in ("/api/v1/counts?thread=a%00b", "/api/v1/comments?thread=a%00b"):
        rv = client.get(path)
        assert rv.status_code == 422, path
        assert rv.get_json()["error"]["fields"]["thread"]["code"] == "control_characters"


def test_nul_in_any_public_thread_or_site_parameter_is_not_a_server_error(
    client: FlaskClient,
) -> None:
    """The no-JS thread, the thread list and the counts refuse a NUL in a thread name with
    a 422, and a site slug that cannot exist is a 404 (each was a 500 on PostgreSQL; found
    in review)."""
    for path in ("/embed/thread?thread=a%00b", "/embed/thread?thread=a%00b&format=page"):
        assert client.get(path, headers={"Accept": "application/json"}).status_code == 422, path
    for path in ("/api/v1/comments?thread=x&site=a%00b", "/api/v1/counts?thread=x&site=a%00b"):
        rv = client.get(path)
        assert rv.status_code == 404 and rv.get_json()["error"]["code"] == "site_not_found"
