"""A commenter's data requests: export everything kept about an address, then erase it
(one transaction); the batched erasure is tested in test_privacy_batches.py, the
dashboard's pages in test_privacy_dashboard.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import privacy
from service.lifecycle import Change, transition
from service.privacy import lookup
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Site, WebhookDelivery
from tests.factories import stored
from tests.privacy_helpers import ADA, ADA_IP, SECRET_TEXT, _every_stored_value, _life_of_ada


def test_export_lists_every_comment_and_check_of_the_address(db: Database) -> None:
    """The export finds the address however it was typed, with text, metadata and status."""
    ids = _life_of_ada(db)
    with db.session() as session:
        found = privacy.export(session, "  ADA@example.ORG ")
    assert found["email"] == ADA
    assert [c["id"] for c in found["comments"]] == [ids["published"], ids["held"], ids["rejected"]]
    assert [c["status"] for c in found["comments"]] == ["published", "held", "rejected"]
    assert all(c["text"].startswith(SECRET_TEXT) for c in found["comments"])
    assert found["comments"][0]["site"] == "default"
    assert [k["id"] for k in found["checks"]] == ["chk_ada"]
    json.dumps(found)  # JSON as it stands


def test_erase_leaves_nothing_of_the_author_and_keeps_the_thread(
    client: FlaskClient, db: Database
) -> None:
    """After an erasure no table holds the address or the text; her visible comments are
    taken down through the lifecycle (subscribers get comment.rejected, with the erased
    body); Bob's reply stays published under its parent; the check record is gone."""
    ids = _life_of_ada(db)
    before = _every_stored_value(db)
    assert ADA in before and SECRET_TEXT.lower() in before and "lovelace" in before

    with db.session() as session:
        done = privacy.erase(session, ADA, "admin@example.org")
    assert (done.comments, done.taken_down, done.checks) == (3, 2, 1)
    assert len(done.deliveries) == 2  # comment.rejected for the published and the held one

    after = _every_stored_value(db)
    assert ADA not in after and ADA_IP not in after
    assert "lovelace" not in after and "byron" not in after
    with db.session() as session:
        rows = {c.id: c for c in session.scalars(select(Comment))}
        assert [rows[ids[k]].state for k in ("published", "held", "rejected")] == ["rejected"] * 3
        assert rows[ids["published"]].rejection == "moderator"
        assert rows[ids["rejected"]].rejection == "spam"  # its reason stays
        assert rows[ids["reply"]].state == "published"
        assert rows[ids["reply"]].parent_id == ids["published"]
        assert rows[ids["published"]].spam == 0.1  # scores stay: they say nothing of her
        erase_entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "erase")
        ).all()
        assert sorted(e.comment_id for e in erase_entries) == sorted(
            ids[k] for k in ("published", "held", "rejected")
        )
        outbox = {d.id: json.loads(d.payload) for d in session.scalars(select(WebhookDelivery))}
    for delivery_id in done.deliveries:
        assert outbox[delivery_id]["type"] == "comment.rejected"
        assert outbox[delivery_id]["data"]["author_name"] == privacy.ERASED
    sent_before = [b for i, b in outbox.items() if i not in done.deliveries]
    assert {b["type"] for b in sent_before} >= {"comment.received", "comment.published"}
    published_event = next(b for b in sent_before if b["type"] == "comment.published")
    assert published_event["data"]["status"] == "published"  # the event's own state stays

    thread = client.get("/api/v1/comments?site=default&thread=article-1").get_json()
    assert [c["id"] for c in thread["items"]] == [ids["reply"]]
    assert client.get(f"/api/v1/comments/{ids['published']}").get_json()["status"] == "rejected"

    with db.session() as session:  # nothing left to find
        assert privacy.export(session, ADA) == {
            "email": ADA,
            "comments": [],
            "checks": [],
            "bans": [],
            "ban_history": [],
            "reply_notifications": [],
        }


def test_erase_of_one_site_leaves_the_others(db: Database) -> None:
    """``site`` limits an erasure to one site's comments."""
    with db.session() as session:
        from service import sites as site_ops

        other = site_ops.create(session, "Other Paper", ["https://other.example"]).site.slug
    here = stored(db, email=ADA, text="on the default site").id
    there = stored(db, site=other, email=ADA, text="on the other site").id
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == other)).one()
        done = privacy.erase(session, ADA, "cli", site)
    assert done.comments == 1
    with db.session() as session:
        assert session.get(Comment, there).text == ""  # type: ignore[union-attr]
        assert session.get(Comment, here).text == "on the default site"  # type: ignore[union-attr]


def test_an_address_with_non_ascii_letters_is_found_however_typed(db: Database) -> None:
    """SQLite's lower() folds ASCII only: ``Ädä@exämple.org`` typed in another case was
    not found, so it could be neither exported nor erased (found in review)."""
    first = stored(db, email="Ädä@Exämple.org", text="Première.").id
    second = stored(db, email="ÄDÄ@EXÄMPLE.ORG", text="Deuxième.").id
    stored(db, email="ada@example.org", text="Someone else.")
    with db.session() as session:
        found = privacy.export(session, "ädä@exämple.org")
    assert [c["id"] for c in found["comments"]] == [first, second]
    with db.session() as session:
        assert privacy.erase(session, "ÄDÄ@exämple.ORG", "cli").comments == 2


def test_an_erasure_racing_the_worker_still_takes_the_comment_down(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker publishes a pending comment (its reasons quoting the text) after the
    erasure has read it: the erasure re-reads it, scrubs the fresh reasons and takes it
    down. Review finding: it stayed published as "[erased]" with the quoted reasons."""
    comment_id = stored(db, email=ADA, text=SECRET_TEXT).id
    real = lookup.comments

    def read_then_the_worker_decides(*args: Any) -> list[Comment]:
        found = real(*args)
        with db.session() as other:
            decision = {"action": "publish", "summary": [], "reasons": [
                {"model": "spam", "kind": "token", "text": "Lovelace", "weight": 0.3}]}  # fmt: skip
            change = Change(expected=State.PENDING, new=State.PUBLISHED, actor="system:worker",
                            action="classify", values={"decision": decision})  # fmt: skip
            assert transition(other, comment_id, change) is not None
        return found

    monkeypatch.setattr(lookup, "comments", read_then_the_worker_decides)
    with db.session() as session:
        done = privacy.erase(session, ADA, "cli")
    assert done.taken_down == 1
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None and row.state == "rejected"
        assert "Lovelace" not in json.dumps(row.decision)


def test_the_address_leaves_the_ban_history_and_the_export_shows_it(
    client: FlaskClient, db: Database
) -> None:
    """A hand ban's audit entry (and its note) and the unban after it name the address but
    no comment: the export lists them, the erasure scrubs them (both were missed; found
    in review)."""
    from tests.dashboard import logged_in

    token = logged_in(client, db)
    made = client.post(
        "/moderation/bans",
        json={
            "kind": "email",
            "value": "Angry@Example.com",
            "site": "default",
            "note": "real name Andrew Smith",
        },
        headers={"X-CSRF-Token": token},
    )
    assert made.status_code == 201
    lifted = client.post(made.get_json()["undo_url"], json={}, headers={"X-CSRF-Token": token})
    assert lifted.status_code == 200
    with db.session() as session:
        found = privacy.export(session, "angry@example.com")
    assert [(h["action"], h["note"]) for h in found["ban_history"]] == [
        ("ban", "real name Andrew Smith"),
        ("unban", None),
    ]
    privacy.erase_in_batches(db, "angry@example.com", "user:1")
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["ban", "unban"]))
        ).all()
        dumped = json.dumps([[e.details, e.note] for e in entries])
    assert "angry@example.com" not in dumped.lower() and "Andrew" not in dumped
    assert len(entries) == 2
