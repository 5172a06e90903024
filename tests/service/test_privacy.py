"""A commenter's data requests: export everything kept about an address, then erase it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from service import privacy, reports
from service.clock import utcnow
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.privacy import erasure, lookup
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Label, Site, User, WebhookDelivery
from service.store.tables_integrations import Check
from tests.factories import stored

ADA = "ada@example.org"
ADA_IP = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
HTML = {"Accept": "text/html"}
SECRET_TEXT = "My neighbour Ada Lovelace at 12 Byron Road says the plan is wrong"


def _life_of_ada(db: Database) -> dict[str, str]:
    """Store Ada's comments in every state, a reply by Bob, a classifier decision that
    quotes her and a ban hit naming her address, an outbox, and an Akismet check."""
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(session, site, "http://127.0.0.1:9/in", ["comment.rejected",
                        "comment.published", "comment.received"], allow_private=True)  # fmt: skip
    published = stored(db, email="Ada@Example.org", text=SECRET_TEXT + " (1)").id
    with db.session() as session:  # classified and published: its events are in the outbox
        decision = {
            "action": "publish",
            "summary": [f"banned email: {ADA} (expired)"],
            "reasons": [{"model": "spam", "kind": "token", "text": "Lovelace", "weight": 0.4,
                         "span": [16, 24]}],
        }  # fmt: skip
        change = Change(expected=State.PENDING, new=State.PUBLISHED, actor="system:worker",
                        action="classify", values={"spam": 0.1, "toxicity": 0.0,
                        "decision": decision}, details={"summary": decision["summary"]})  # fmt: skip
        assert transition(session, published, change) is not None
    held = stored(db, state=State.HELD, email=ADA, text=SECRET_TEXT + " (2)").id
    rejected = stored(db, state=State.REJECTED, email=ADA, text=SECRET_TEXT + " (3)").id
    with db.session() as session:
        session.get(Comment, rejected).rejection = "spam"  # type: ignore[union-attr]
    reply = stored(db, state=State.PUBLISHED, name="Bob", email="bob@example.org",
                   text="I disagree with Ada.", parent=published).id  # fmt: skip
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        session.add(Check(id="chk_ada", site_id=site.id, source="akismet", fingerprint="f",
                          text=SECRET_TEXT + " (check)", author_email=ADA, spam=0.2,
                          toxicity=0.0, verdict="ham", created_at=utcnow()))  # fmt: skip
        session.add(Label(check_id="chk_ada", site_id=site.id, label="ham", source="akismet",
                          actor="akismet", created_at=utcnow()))  # fmt: skip
    with db.session() as session:  # a reader's report, a moderator's note, an IP ban hit
        comment = session.get(Comment, published)
        assert comment is not None
        reports.add(session, comment, "other", f"Ada Lovelace ({ADA}) of Byron Road", "r" * 64)
        session.add(AuditEntry(comment_id=published, site_id=comment.site_id, actor="user:9",
                               action="note", note="Lovelace again, see Byron Road"))  # fmt: skip
        held_row = session.get(Comment, held)
        assert held_row is not None
        held_row.ip_hash = ADA_IP
        session.add(AuditEntry(comment_id=held, site_id=held_row.site_id, actor="system:worker",
                               action="classify", details={"summary": [f"banned ip: {ADA_IP}"]}))  # fmt: skip
    return {"published": published, "held": held, "rejected": rejected, "reply": reply}


def _every_stored_value(db: Database) -> str:
    """Return every row of every table as one lower-cased string."""
    rows = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows += [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows).lower()


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


def test_erase_in_batches_commits_each_batch_and_finishes_the_whole_job(db: Database) -> None:
    """The CLI and the dashboard erase a batch of comments per transaction (an erasure of
    thousands must not hold SQLite's one write lock for tens of seconds): the result is
    the one-transaction erasure's, with one audit entry carrying the totals, and an IP
    hash that only a later batch's comment carries is scrubbed from an earlier batch's
    audit entries too."""
    ids = _life_of_ada(db)
    with db.session() as session:  # on the first comment, naming the second one's IP hash
        session.add(AuditEntry(comment_id=ids["published"], actor="system:worker",
                               action="classify", details={"summary": [f"banned ip: {ADA_IP}"]}))  # fmt: skip
    commits = 0

    def count(conn: Any) -> None:
        nonlocal commits
        commits += 1

    from sqlalchemy import event

    event.listen(db.engine, "commit", count)
    try:
        done = privacy.erase_in_batches(db, ADA, "cli", batch=1)
    finally:
        event.remove(db.engine, "commit", count)
    assert (done.comments, done.taken_down, done.checks) == (3, 2, 1)
    assert len(done.deliveries) == 2
    assert commits >= 4  # the address and IP hashes, then three batches of one
    after = _every_stored_value(db)
    assert ADA not in after and ADA_IP not in after and "lovelace" not in after
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_erase")
        ).all()
        assert [e.details for e in entries] == [
            {
                "comments": 3,
                "taken_down": 2,
                "checks": 1,
                "reply_notifications": 0,
                "remaining": 0,
                "complete": True,
            }
        ]
        assert privacy.export(session, ADA)["comments"] == []


def test_an_interrupted_batched_erasure_is_finished_by_running_it_again(db: Database) -> None:
    """A batch that fails rolls back alone: the batches before it stay erased, and the same
    command run again erases the rest (an erased comment no longer carries the address)."""
    ids = _life_of_ada(db)
    real = erasure._take_down
    calls = 0

    def fails_on_the_second(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the process died")
        return real(*args)

    erasure._take_down = fails_on_the_second  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            privacy.erase_in_batches(db, ADA, "cli", batch=1)
    finally:
        erasure._take_down = real  # type: ignore[assignment]
    with db.session() as session:
        assert session.get(Comment, ids["published"]).text == ""  # type: ignore[union-attr]
        assert session.get(Comment, ids["held"]).text.startswith(SECRET_TEXT)  # type: ignore[union-attr]
        assert len(privacy.export(session, ADA)["comments"]) == 2
    done = privacy.erase_in_batches(db, ADA, "cli", batch=1)
    assert (done.comments, done.checks) == (2, 1)
    after = _every_stored_value(db)
    assert ADA not in after and "lovelace" not in after


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


def test_erased_comments_still_render_in_the_dashboard(client: FlaskClient, db: Database) -> None:
    """The Rejected queue and a comment's page show an erased comment as erased, with its
    history (review of the erasure: no page may break on the emptied fields)."""
    from tests.dashboard import logged_in

    ids = _life_of_ada(db)
    with db.session() as session:
        privacy.erase(session, ADA, "admin@example.org")
    logged_in(client, db, "mod@example.org")
    for path in ("/moderation/queue/rejected", f"/moderation/comments/{ids['published']}"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert privacy.ERASED in html and "Lovelace" not in html and ADA not in html


def test_an_admin_finds_downloads_and_erases_an_address_in_the_dashboard(
    client: FlaskClient, db: Database
) -> None:
    """/moderation/privacy: find lists the address's comments, the download is the export
    as a JSON attachment, the erasure needs the confirmation box; the address travels in
    POST bodies only, never in a URL; export and erasure leave audit entries with counts,
    never the address. Moderators get 403."""
    from tests.dashboard import csrf_token, logged_in, login, make_user

    ids = _life_of_ada(db)
    make_user(db, "mod@example.org", role="moderator", sites=["default"])
    moderator = client.application.test_client()
    assert login(moderator, "mod@example.org").status_code == 303
    assert moderator.get("/moderation/privacy", headers=HTML).status_code == 403

    token = logged_in(client, db)
    page = client.post(
        "/moderation/privacy", data={"csrf_token": token, "email": "ADA@example.org"}, headers=HTML
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert (
        "3 comments, 1 check record, 0 bans and 0 reply-notification subscriptions" in html
        and SECRET_TEXT[:40] in html
    )
    bad = client.post(
        "/moderation/privacy", data={"csrf_token": token, "email": "nope"}, headers=HTML
    )
    assert bad.status_code == 422

    download = client.post("/moderation/privacy/export", data={"csrf_token": token, "email": ADA})
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert [c["id"] for c in download.get_json()["comments"]] == [
        ids["published"], ids["held"], ids["rejected"]
    ]  # fmt: skip

    unconfirmed = client.post(
        "/moderation/privacy/erase", data={"csrf_token": token, "email": ADA}, headers=HTML
    )
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    with db.session() as session:
        assert privacy.export(session, ADA)["comments"], "nothing is erased unconfirmed"
    done = client.post(
        "/moderation/privacy/erase",
        data={"csrf_token": csrf_token(client, "/moderation/privacy"), "email": ADA,
              "confirm": "yes"},
        headers=HTML,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["Location"] == "/moderation/privacy"
    landed = client.get(done.headers["Location"], headers=HTML).get_data(as_text=True)
    assert (
        "Erased 3 comments (2 taken down), 1 check record and 0 reply-notification subscriptions."
        in landed
    )
    with db.session() as session:
        assert privacy.export(session, ADA) == {
            "email": ADA, "comments": [], "checks": [], "bans": [], "ban_history": [],
            "reply_notifications": [],
        }  # fmt: skip
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["privacy_export", "privacy_erase"]))
        ).all()
        admin = session.scalars(select(User).where(User.email == "admin@example.org")).one()
    assert [(e.action, e.actor) for e in entries] == [
        ("privacy_export", f"user:{admin.id}"), ("privacy_erase", f"user:{admin.id}")
    ]  # fmt: skip
    assert entries[1].details == {
        "comments": 3, "taken_down": 2, "checks": 1, "reply_notifications": 0,
        "remaining": 0, "complete": True,
    }  # fmt: skip
    assert ADA not in _every_stored_value(db)


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
