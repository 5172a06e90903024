"""Admin pages: accounts (create, roles, sites, disable, passwords) and site moderators."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.store import Database
from service.store.tables import User, UserSite
from tests.dashboard import login


def test_admin_creates_a_moderator_who_can_log_in(
    app: Flask, client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """An account created on the Users page can log in and sees the queues of its site only."""
    resp = client.post(
        "/moderation/users",
        data={
            "csrf_token": admin_csrf,
            "email": "Mod@Example.org",
            "role": "moderator",
            "password": "a long password",
            "site": "1",
        },
    )
    assert resp.status_code == 303
    other = app.test_client()
    assert login(other, "mod@example.org", "a long password").status_code == 303
    assert other.get("/moderation/queue/held").status_code == 200
    assert other.get("/moderation/users").status_code == 403
    with db.session() as session:
        user = session.scalars(select(User).where(User.email == "mod@example.org")).one()
        assert session.get(UserSite, (user.id, 1)) is not None


def test_bad_account_form_is_refused(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """A short password is refused with 422 and creates nobody."""
    resp = client.post(
        "/moderation/users",
        data={
            "csrf_token": admin_csrf,
            "email": "x@example.org",
            "role": "moderator",
            "password": "short",
        },
    )
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["password"]
    with db.session() as session:
        assert session.scalars(select(User).where(User.email == "x@example.org")).first() is None


def test_a_browser_sees_which_field_was_wrong(client: FlaskClient, admin_csrf: str) -> None:
    """The 422 page a browser gets names the failing field and says what is wrong with it."""
    resp = client.post(
        "/moderation/users",
        data={"csrf_token": admin_csrf, "email": "x@example.org", "role": "moderator"},
        headers={"Accept": "text/html", "Referer": "http://localhost/moderation/users"},
    )
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert '<li data-field="password"><strong>Password</strong>: ' in page
    assert 'href="/moderation/users"' in page


def test_last_admin_cannot_be_demoted(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """The last enabled admin cannot demote or disable themselves (409 last_admin)."""
    resp = client.post("/moderation/users/1", data={"csrf_token": admin_csrf, "role": "moderator"})
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "last_admin"


def test_reset_password(app: Flask, client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """An admin sets a new password for an account; the old one stops working."""
    client.post(
        "/moderation/users",
        data={
            "csrf_token": admin_csrf,
            "email": "m@example.org",
            "role": "moderator",
            "password": "first password",
        },
    )
    resp = client.post(
        "/moderation/users/2/password",
        data={"csrf_token": admin_csrf, "password": "second password"},
    )
    assert resp.status_code == 303
    other = app.test_client()
    assert login(other, "m@example.org", "first password").status_code == 401
    assert login(other, "m@example.org", "second password").status_code == 303


def test_sites_page_assigns_moderators(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """The Sites page lists sites with held counts, and adds and removes moderators."""
    client.post(
        "/moderation/users",
        data={
            "csrf_token": admin_csrf,
            "email": "m@example.org",
            "role": "moderator",
            "password": "first password",
        },
    )
    html = client.get("/moderation/sites", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Default site" in html and "admins only" in html
    add = client.post(
        "/moderation/sites/1/moderators", data={"csrf_token": admin_csrf, "user_id": "2"}
    )
    assert add.status_code == 303
    with db.session() as session:
        assert session.get(UserSite, (2, 1)) is not None
    client.post(
        "/moderation/sites/1/moderators",
        data={"csrf_token": admin_csrf, "user_id": "2", "remove": "1"},
    )
    with db.session() as session:
        assert session.get(UserSite, (2, 1)) is None
