"""A commenter's data requests in the dashboard: /moderation/privacy for admins, and
erased comments on the moderators' pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from service import privacy
from service.store import Database
from service.store.tables import AuditEntry, User
from tests.privacy_helpers import ADA, SECRET_TEXT, _every_stored_value, _life_of_ada

HTML = {"Accept": "text/html"}


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
