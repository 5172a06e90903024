"""Every dashboard route is closed without a session; CSRF guards every state change."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from service.moderation import access
from service.store import Database
from tests.dashboard import logged_in

PUBLIC = {"moderation.login", "moderation.logout", "moderation.setup", "moderation.static"}


def _dashboard_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("moderation.")]


def _url(rule: Rule) -> str:
    values: dict[str, Any] = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        values[arg] = 1 if type(converter).__name__ in ("IntegerConverter",) else "x" * 22
    url = rule.build(values, append_unknown=False)
    assert url is not None
    return url[1]


def test_public_views_are_exactly_the_expected_ones(app: Flask) -> None:
    """Only login, logout, first-admin setup and static files are marked public."""
    public = {
        r.endpoint
        for r in _dashboard_rules(app)
        if access.is_public(app.view_functions[r.endpoint]) or r.endpoint.endswith(".static")
    }
    assert public == PUBLIC


def test_every_dashboard_route_answers_401_without_a_session(
    app: Flask, client: FlaskClient
) -> None:
    """Every non-public dashboard route and method answers 401 JSON without a session."""
    checked = 0
    for rule in _dashboard_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            resp = client.open(_url(rule), method=method, headers={"Accept": "application/json"})
            assert resp.status_code == 401, (rule.rule, method, resp.status_code)
            assert resp.get_json()["error"]["code"] == "unauthorized", rule.rule
            checked += 1
    assert checked >= 3


def test_every_dashboard_page_redirects_a_browser_to_login(app: Flask, client: FlaskClient) -> None:
    """A browser without a session is sent to the login page, with a way back."""
    for rule in _dashboard_rules(app):
        if rule.endpoint in PUBLIC or "GET" not in (rule.methods or set()):
            continue
        url = _url(rule)
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code == 302, url
        assert resp.headers["Location"].startswith("/moderation/login?next="), url


def test_unsafe_requests_need_the_csrf_token(client: FlaskClient, db: Database) -> None:
    """A logged-in POST without the token, or with a wrong one, is refused with 403 csrf_failed."""
    token = logged_in(client, db)
    form = {"current": "x", "password": "y", "confirm": "y"}
    assert client.post("/moderation/account", data=form).status_code == 403
    bad = client.post("/moderation/account", data={**form, "csrf_token": "nope" * 10})
    assert bad.status_code == 403 and bad.get_json()["error"]["code"] == "csrf_failed"
    header = client.post("/moderation/account", data=form, headers={"X-CSRF-Token": token})
    assert header.status_code == 422
    field = client.post("/moderation/account", data={**form, "csrf_token": token})
    assert field.status_code == 422


def test_cross_origin_posts_are_refused_even_with_a_token(
    client: FlaskClient, db: Database
) -> None:
    """A POST whose Origin is another site is refused even if it carries a token."""
    token = logged_in(client, db)
    resp = client.post(
        "/moderation/account",
        data={"csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "csrf_origin"


def test_dashboard_pages_carry_security_headers(client: FlaskClient, db: Database) -> None:
    """Dashboard pages forbid framing, inline scripts and caching."""
    logged_in(client, db)
    resp = client.get("/moderation/account", headers={"Accept": "text/html"})
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


def test_moderators_get_403_on_admin_pages(app: Flask, client: FlaskClient, db: Database) -> None:
    """``admin_required`` answers 403 to a logged-in moderator and lets an admin through."""
    from service.moderation import bp  # noqa: F401  (the decorator under test is generic)

    @app.get("/moderation-test/admin-only")
    @access.admin_required
    def admin_only() -> str:
        return "secret"

    logged_in(client, db, "mod@example.org", role="moderator")
    resp = client.get("/moderation-test/admin-only")
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "admin_required"


def test_another_blueprint_can_reuse_the_shell(settings: dict[str, Any], db: Database) -> None:
    """A blueprint put behind ``guard`` gets the login check, CSRF, the layout and a nav entry."""
    from flask import Blueprint, render_template_string

    from service import create_app
    from service.moderation import nav
    from service.moderation.pages import guard

    other = Blueprint("shell_test", __name__)
    guard(other)
    nav.add_nav_item("Shell test", "shell_test.page", admin_only=True, order=99)

    @other.route("/page", methods=["GET", "POST"])
    @access.admin_required
    def page() -> str:
        return render_template_string(
            '{% extends "moderation/base.html" %}{% block content %}<p id="x">hello</p>'
            "<form method=post>{{ csrf_field() }}</form>{% endblock %}"
        )

    application = create_app({**settings, "TESTING": True})
    application.register_blueprint(other, url_prefix="/moderation/shell-test")
    try:
        client = application.test_client()
        assert client.get("/moderation/shell-test/page").status_code == 401
        token = logged_in(client, db)
        html = client.get("/moderation/shell-test/page", headers={"Accept": "text/html"})
        text = html.get_data(as_text=True)
        assert '<p id="x">hello</p>' in text and "Shell test" in text and "Log out" in text
        assert "script-src 'self'" in html.headers["Content-Security-Policy"]
        assert client.post("/moderation/shell-test/page").status_code == 403
        assert (
            client.post("/moderation/shell-test/page", data={"csrf_token": token}).status_code
            == 200
        )
    finally:
        nav._ITEMS.pop("shell_test.page", None)
        application.extensions["moderato.db"].dispose()
