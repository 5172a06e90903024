"""``GET /api/v1/queue``: a site's server lists what waits for a decision (after missing
webhooks), with its ``moderate`` key, and decides it with ``/moderate``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import reports
from service.clock import utcnow
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import payload, stored
from tests.integrations.conftest import LiveServer, SiteKeys, bearer
from tests.integrations.test_openapi import run_schemathesis

DECISION = {
    "action": "hold",
    "summary": ["spam score 0.71 is at or above the publish threshold 0.50"],
    "reasons": [
        {"model": "spam", "kind": "link", "text": "casino.example", "weight": 1.8, "span": [6, 20]},
        {"model": "spam", "kind": "author", "text": "name", "weight": 0.4, "span": None},
    ],
    "thresholds": {"mode": "auto"},
    "model_version": "spam-x+tox-y",
}


def _comment(db: Database, site: SiteKeys, state: State, minutes_ago: int, **overrides: Any) -> str:
    """Store a comment of ``site`` in ``state``, created ``minutes_ago``, scored and decided."""
    comment = stored(db, state=state, site=site.slug, **overrides)
    with db.session() as session:
        row = session.get(Comment, comment.id)
        assert row is not None
        row.created_at = utcnow() - timedelta(minutes=minutes_ago)
        if state is not State.PENDING:
            row.spam, row.toxicity, row.decision = 0.71, 0.02, DECISION
            row.model_version = "spam-x+tox-y"
    return comment.id


def _report(db: Database, comment_id: str, ip: str) -> None:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        assert reports.add(session, row, "spam", None, ip)


def _queue(client: FlaskClient, token: str, **query: Any) -> Any:
    return client.get("/api/v1/queue", query_string=query, headers=bearer(token))


def test_only_the_sites_moderate_key_reads_its_queue(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """No key: 401 with a Bearer challenge; an unknown key: 401 invalid_api_key; a key
    without ``moderate`` (even with ``read``): 403 insufficient_scope; another site's slug:
    403 site_mismatch. All in the contract's error shape."""
    site = make_site(reader=["read", "submit"], mod=["moderate"])
    bare = client.get("/api/v1/queue")
    assert bare.status_code == 401 and bare.get_json()["error"]["code"] == "unauthorized"
    assert bare.headers["WWW-Authenticate"] == 'Bearer realm="moderato"'
    unknown = _queue(client, "mod_0123456789ab_" + "x" * 43)
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "invalid_api_key"
    scoped = _queue(client, site.tokens["reader"])
    assert scoped.status_code == 403
    assert scoped.get_json()["error"]["code"] == "insufficient_scope"
    other = _queue(client, site.tokens["mod"], site="default")
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "site_mismatch"
    assert _queue(client, site.tokens["mod"], site=site.slug).status_code == 200


def test_held_pending_and_reported_list_what_waits_oldest_first(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """Held (the default) lists the site's held comments oldest first, each with its id,
    thread, state, revision, text, author, times, scores, the decision's reasons and
    summary, and open reports, never the e-mail; pending lists pending ones; reported lists
    published comments with an open report. Other states and other sites' comments stay
    out."""
    site = make_site(mod=["moderate"])
    other = make_site(name="Other Paper")
    newer = _comment(db, site, State.HELD, 5, thread="story-2", text="Visit casino.example now")
    older = _comment(db, site, State.HELD, 30, thread="story-1", email="held@example.org")
    pending = _comment(db, site, State.PENDING, 3)
    reported = _comment(db, site, State.PUBLISHED, 60)
    _comment(db, site, State.PUBLISHED, 2)  # published, never reported
    _comment(db, site, State.REJECTED, 1)
    _comment(db, other, State.HELD, 10)
    _report(db, reported, "a" * 64)
    _report(db, reported, "b" * 64)

    held = _queue(client, site.tokens["mod"])
    assert held.status_code == 200
    assert held.headers["Cache-Control"] == "no-store"
    body = held.get_json()
    assert (body["site"], body["status"], body["order"], body["total"]) == (
        site.slug, "held", "oldest", 2
    )  # fmt: skip
    assert [item["id"] for item in body["items"]] == [older, newer]
    assert body["next_cursor"] is None
    item = body["items"][1]
    assert item["status"] == "held" and item["thread"] == "story-2" and item["revision"] == 0
    assert item["text"] == "Visit casino.example now" and item["author_name"] == "Ada Reader"
    assert item["scores"] == {"spam": 0.71, "toxicity": 0.02}
    assert item["summary"] == DECISION["summary"]
    assert item["reasons"][0] == DECISION["reasons"][0]
    assert item["reasons"][1]["span"] is None and item["open_reports"] == 0
    assert "email" not in str(body) and "@example.org" not in held.get_data(as_text=True)

    newest = _queue(client, site.tokens["mod"], order="newest").get_json()
    assert [i["id"] for i in newest["items"]] == [newer, older]
    waiting = _queue(client, site.tokens["mod"], status="pending").get_json()
    assert [i["id"] for i in waiting["items"]] == [pending]
    assert waiting["items"][0]["reasons"] == [] and waiting["items"][0]["scores"] is None
    flagged = _queue(client, site.tokens["mod"], status="reported").get_json()
    assert [(i["id"], i["status"], i["open_reports"]) for i in flagged["items"]] == [
        (reported, "published", 2)
    ]
    one = _queue(client, site.tokens["mod"], thread="story-1").get_json()
    assert [i["id"] for i in one["items"]] == [older] and one["total"] == 1


def test_pages_follow_cursors_of_their_own_list(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """limit=2 over three held comments: two, then one with next_cursor null. A cursor
    belongs to its queue and order: with another (or a thread listing's cursor) it is 422
    invalid_cursor."""
    site = make_site(mod=["moderate"])
    ids = [_comment(db, site, State.HELD, minutes) for minutes in (30, 20, 10)]
    key = site.tokens["mod"]
    first = _queue(client, key, limit=2).get_json()
    assert [i["id"] for i in first["items"]] == ids[:2] and first["total"] == 3
    second = _queue(client, key, limit=2, cursor=first["next_cursor"]).get_json()
    assert [i["id"] for i in second["items"]] == ids[2:] and second["next_cursor"] is None
    for wrong in ({"status": "pending"}, {"order": "newest"}, {"thread": "article-1"}):
        rv = _queue(client, key, limit=2, cursor=first["next_cursor"], **wrong)
        assert rv.status_code == 422, wrong
        assert rv.get_json()["error"]["fields"]["cursor"]["code"] == "invalid_cursor"
    listing = client.get(
        "/api/v1/comments", query_string={"thread": "article-1", "limit": 1}, headers=bearer(key)
    )
    assert listing.status_code == 200
    assert _queue(client, key, cursor="bm90LWEtY3Vyc29y").status_code == 422


def test_bad_parameters_are_one_422_naming_the_allowed_values(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """An unknown status (a rejected comment waits for nobody), order, limit or blank
    thread: one 422 validation_failed listing every bad field; the status's message names
    held, pending and reported."""
    key = make_site(mod=["moderate"]).tokens["mod"]
    rv = _queue(client, key, status="rejected", order="sideways", limit=0, thread="  ")
    assert rv.status_code == 422
    error = rv.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"status", "order", "limit", "thread"}
    assert error["fields"]["status"] == {
        "code": "invalid_choice",
        "message": "Use one of: held, pending, reported.",
    }


def test_reading_the_queue_spends_nothing_of_the_keys_rate_limit(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """With a burst of 2, ten queue reads leave both posts of the site's key their tokens."""
    site = make_site(
        settings={"rate_limit": {"per_minute": 1, "burst": 2}}, key=["submit", "moderate"]
    )
    key = bearer(site.tokens["key"])
    for _ in range(10):
        assert client.get("/api/v1/queue", headers=key).status_code == 200
    for _ in range(2):
        assert client.post("/api/v1/comments", json=payload(), headers=key).status_code == 202


def test_reconcile_list_held_then_moderate_with_its_revision(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """The documented reconciliation: each held item's status and revision, sent to
    /moderate, approve it; the queue is then empty."""
    site = make_site(mod=["moderate"])
    _comment(db, site, State.HELD, 9)
    _comment(db, site, State.HELD, 8)
    key = site.tokens["mod"]
    for item in _queue(client, key).get_json()["items"]:
        rv = client.post(
            f"/api/v1/comments/{item['id']}/moderate",
            json={
                "action": "approve",
                "expected_status": item["status"],
                "revision": item["revision"],
            },
            headers=bearer(key),
        )
        assert rv.status_code == 200 and rv.get_json()["status"] == "published"
    after = _queue(client, key).get_json()
    assert after["items"] == [] and after["total"] == 0


def test_answers_match_the_documented_queue_page(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """A page of each status validates against /openapi.json's QueuePage, and every field
    of its items is documented in QueueItem."""
    import jsonschema

    site = make_site(mod=["moderate"])
    _comment(db, site, State.HELD, 4, url="https://ada.example")
    _comment(db, site, State.PENDING, 3)
    _report(db, _comment(db, site, State.PUBLISHED, 2), "c" * 64)
    doc = client.get("/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/QueuePage", "components": doc["components"]}
    schemas = doc["components"]["schemas"]
    assert schemas["QueueItem"]["allOf"][0] == {"$ref": "#/components/schemas/WebhookComment"}
    documented = set(schemas["WebhookComment"]["properties"]) | set(
        schemas["QueueItem"]["allOf"][1]["properties"]
    )
    for status in ("held", "pending", "reported"):
        body = _queue(client, site.tokens["mod"], status=status, limit=1).get_json()
        assert len(body["items"]) == 1, status
        jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)
        assert set(body["items"][0]) <= documented


@pytest.mark.slow
def test_schemathesis_finds_nothing_wrong_with_the_queue(
    live_server: LiveServer, db: Database, make_site: Callable[..., SiteKeys], tmp_path: Path
) -> None:
    """schemathesis over GET /api/v1/queue alone, against the live app with held, pending
    and reported comments to list (a moderate key that is not rate-limited here anyway)."""
    site = make_site(everything=["submit", "read", "moderate"])
    for minutes in range(5):
        _comment(db, site, State.HELD, minutes + 10, thread=f"story-{minutes}")
    _comment(db, site, State.PENDING, 3)
    _report(db, _comment(db, site, State.PUBLISHED, 2), "d" * 64)
    report = run_schemathesis(
        live_server.url, site.tokens["everything"], tmp_path, "--include-path", "/api/v1/queue"
    )
    assert "No issues found" in report and "1 passed" in report, report
