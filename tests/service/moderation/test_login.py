"""Logging in and out: sessions, password checks, throttling, the first-admin setup link."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites as site_ops
from service.moderation import first_admin
from service.store import Database
from service.store.tables import AuditEntry
from tests.dashboard import PASSWORD, csrf_token, logged_in, login, make_user

HTML = {"Accept": "text/html"}


def test_login_sets_a_hardened_session_cookie(client: FlaskClient, db: Database) -> None:
    """A good password logs in with an HttpOnly, SameSite=Lax cookie and opens the dashboard."""
    make_user(db)
    resp = login(client)
    assert resp.status_code == 303
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("moderato_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/moderation/account", headers=HTML).status_code == 200
    # The cookie expires with the session (12 h), not Flask's 31 days (found in review).
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert 11.9 * 3600 < (expires - datetime.now(UTC)).total_seconds() <= 12 * 3600 + 60


def test_session_cookie_is_secure_outside_development(app: Flask) -> None:
    """Outside development the session cookie is marked Secure (sent over HTTPS only)."""
    assert app.config["ENV"] == "testing"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_wrong_password_is_refused(client: FlaskClient, db: Database) -> None:
    """A wrong password answers 401 with the login form again and no session."""
    make_user(db)
    resp = login(client, password="wrong password!")
    assert resp.status_code == 401
    assert "wrong" in resp.get_data(as_text=True)
    assert client.get("/moderation/account").status_code == 401


def test_disabled_account_cannot_log_in(client: FlaskClient, db: Database) -> None:
    """A disabled account's right password is refused."""
    from service.store.tables import User

    user_id = make_user(db)
    with db.session() as session:
        row = session.get(User, user_id)
        assert row is not None
        row.disabled = True
    assert login(client).status_code == 401


def test_logout_ends_the_session(client: FlaskClient, db: Database) -> None:
    """Logging out (a POST with the CSRF token) ends the session."""
    token = logged_in(client, db)
    resp = client.post("/moderation/logout", data={"csrf_token": token})
    assert resp.status_code == 303
    assert client.get("/moderation/account").status_code == 401


def test_a_copy_of_the_session_cookie_dies_with_the_logout(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """Sessions live in a signed cookie; a copy taken before logout (a stolen cookie) must
    not keep working after it (review finding: it did, for the session's 12 hours)."""
    token = logged_in(client, db)
    cookie = client.get_cookie("moderato_session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("moderato_session", cookie.value)
    assert copy.get("/moderation/account", headers=HTML).status_code == 200
    assert client.post("/moderation/logout", data={"csrf_token": token}).status_code == 303
    assert copy.get("/moderation/account").status_code == 401


def test_the_session_cookie_carries_nothing_of_the_password_hash(
    client: FlaskClient, db: Database
) -> None:
    """The cookie is signed, not encrypted: its password fingerprint is keyed, not a slice
    of the Argon2 hash (review finding)."""
    from itsdangerous import URLSafeTimedSerializer

    from service.store.tables import User

    user_id = make_user(db)
    login(client)
    cookie = client.get_cookie("moderato_session")
    assert cookie is not None
    payload = URLSafeTimedSerializer("unused").loads_unsafe(cookie.value)[1]
    with db.session() as session:
        row = session.get(User, user_id)
        assert row is not None
        hashed = row.password_hash
    assert payload["pw"] and payload["pw"] not in hashed


def test_logout_needs_the_csrf_token(client: FlaskClient, db: Database) -> None:
    """Another site cannot log a moderator out: logout without the token is refused."""
    logged_in(client, db)
    resp = client.post("/moderation/logout")
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/moderation/account").status_code == 200


def test_login_is_throttled_per_account(app: Flask, client: FlaskClient, db: Database) -> None:
    """After 5 failures for one account, even the right password gets 429 with Retry-After."""
    make_user(db)
    for _ in range(5):
        assert login(client, password="wrong password!").status_code == 401
    resp = login(client)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert "Too many failed logins for this account" in resp.get_data(as_text=True)
    assert client.get("/moderation/account").status_code == 401


def _from(app: Flask, address: str) -> FlaskClient:
    """Return a test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_guesser_elsewhere_cannot_lock_the_moderator_out(app: Flask, db: Database) -> None:
    """Failures count per account *and address*: five wrong passwords from one address
    stop that address, not the moderator at theirs. Review finding: the per-account limit
    alone let anyone lock an admin out with five requests."""
    make_user(db)
    guesser, moderator = _from(app, "198.51.100.7"), _from(app, "203.0.113.20")
    for _ in range(5):
        assert login(guesser, password="wrong password!").status_code == 401
    assert login(guesser).status_code == 429
    assert login(moderator).status_code == 303


def test_guessing_one_account_from_many_addresses_hits_a_ceiling(app: Flask, db: Database) -> None:
    """Past LOGIN_MAX_FAILURES_ACCOUNT_TOTAL failures from all addresses together, an
    address that has failed on the account gets no more tries (the right password
    included) and a new address gets one: a botnet is slowed to a guess per address, the
    moderator at their own address still gets in."""
    app.config["LOGIN_MAX_FAILURES_ACCOUNT_TOTAL"] = 6
    make_user(db)
    guessers = [_from(app, f"198.51.100.{n + 1}") for n in range(3)]
    for guesser in guessers:
        for _ in range(2):
            assert login(guesser, password="wrong password!").status_code == 401
    refused = login(guessers[0])
    assert refused.status_code == 429
    assert "Too many failed logins for this account" in refused.get_data(as_text=True)
    new_guesser = _from(app, "192.0.2.50")
    assert login(new_guesser, password="wrong password!").status_code == 401  # its one try
    assert login(new_guesser, password="wrong password!").status_code == 429
    assert login(_from(app, "203.0.113.20")).status_code == 303  # the moderator


def test_refused_guesses_count_nowhere(app: Flask, db: Database) -> None:
    """102 guesses from one address: 5 are checked, 97 refused, and the refused ones do not
    fill the account's total, so the moderator elsewhere logs in. Review finding: every
    refused request counted, and 101 requests from one address locked any account out."""
    make_user(db)
    guesser = _from(app, "198.51.100.7")
    codes = [login(guesser, password="wrong password!").status_code for _ in range(102)]
    assert codes.count(401) == 5 and codes.count(429) == 97
    assert login(_from(app, "203.0.113.20")).status_code == 303


def test_giving_back_a_success_never_leaves_a_counter_without_expiry(app: Flask) -> None:
    """A success whose window's counters expired meanwhile creates no counter (a DECR on a
    missing key made a -1 with no expiry that then counted for ever; found in review)."""
    from service.extensions import redis_conn
    from service.moderation import throttle

    with app.app_context():
        keys = throttle.keys_for("expired@example.org", "f" * 16)
        conn = redis_conn()
        conn.delete(keys.account, keys.account_total, keys.ip)
        throttle.succeeded(keys)
        assert conn.exists(keys.account, keys.account_total, keys.ip) == 0
        throttle.attempt(keys)
        assert all(0 < conn.ttl(k) <= 900 for k in (keys.account, keys.account_total, keys.ip))


def test_a_success_leaves_other_addresses_failures_counted(app: Flask, db: Database) -> None:
    """The moderator's login clears their own address's failures only: a guesser's
    failures elsewhere still count towards the account's ceiling."""
    app.config["LOGIN_MAX_FAILURES_ACCOUNT_TOTAL"] = 4
    make_user(db)
    guesser, moderator = _from(app, "198.51.100.7"), _from(app, "203.0.113.20")
    for _ in range(3):
        assert login(guesser, password="wrong password!").status_code == 401
    assert login(moderator).status_code == 303  # 4th attempt, given back on success
    other = _from(app, "192.0.2.99")
    assert login(other, password="wrong password!").status_code == 401  # 4th failure
    assert login(other).status_code == 429


def test_the_account_page_password_check_is_throttled(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The current-password check is a password guess too: a stolen session gets the
    login's limits, not unlimited tries. Review finding: /account had no throttle."""
    token = logged_in(client, db)
    new = "an even better passphrase"
    form = {"csrf_token": token, "password": new, "confirm": new}
    for _ in range(5):
        resp = client.post("/moderation/account", data={**form, "current": "wrong password!"})
        assert resp.status_code == 422
        assert "current password is wrong" in resp.get_data(as_text=True)
    resp = client.post("/moderation/account", data={**form, "current": PASSWORD})
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert "Too many failed logins for this account" in resp.get_data(as_text=True)
    assert login(_from(app, "192.0.2.1"), password=new).status_code == 401  # not changed


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(
    app: Flask, db: Database
) -> None:
    """30 wrong passwords at once for one account: exactly 5 are checked (401), the rest
    refused (429). Review finding: checking the count before the password and counting
    after let 7 through."""
    from concurrent.futures import ThreadPoolExecutor

    make_user(db)
    clients = [app.test_client() for _ in range(30)]
    tokens = [csrf_token(c) for c in clients]

    def guess(n: int) -> int:
        data = {
            "email": "admin@example.org",
            "password": "wrong password!",
            "csrf_token": tokens[n],
        }
        return clients[n].post("/moderation/login", data=data, headers=HTML).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(guess, range(30)))
    assert codes.count(401) == 5 and codes.count(429) == 25, codes


def test_successful_logins_do_not_use_up_the_address_limit(
    client: FlaskClient, db: Database
) -> None:
    """Attempts are counted before the password is known; a success gives its count back,
    so a moderator who logs in again and again is never throttled."""
    make_user(db)
    for _ in range(25):  # more than LOGIN_MAX_FAILURES_IP (20)
        assert login(client).status_code == 303
        token = csrf_token(client, "/moderation/account")
        assert client.post("/moderation/logout", data={"csrf_token": token}).status_code == 303


def test_login_is_throttled_per_ip(app: Flask, client: FlaskClient, db: Database) -> None:
    """Guessing across many accounts from one IP is stopped after 20 failures."""
    make_user(db, "real@example.org")
    for n in range(20):
        assert login(client, f"guess{n}@example.org", "wrong password!").status_code == 401
    resp = login(client, "real@example.org")
    assert resp.status_code == 429
    assert "for this address" in resp.get_data(as_text=True)


def test_success_clears_the_account_counter(client: FlaskClient, db: Database) -> None:
    """A successful login forgets the account's earlier failures."""
    make_user(db)
    for _ in range(4):
        login(client, password="wrong password!")
    assert login(client).status_code == 303
    client.post(
        "/moderation/logout", data={"csrf_token": csrf_token(client, "/moderation/account")}
    )
    for _ in range(4):
        assert login(client, password="wrong password!").status_code == 401
    assert login(client).status_code == 303


def test_login_form_needs_the_csrf_token(client: FlaskClient, db: Database) -> None:
    """A login post without the session's token is refused (no login CSRF)."""
    make_user(db)
    resp = client.post(
        "/moderation/login", data={"email": "admin@example.org", "password": PASSWORD}
    )
    assert resp.status_code == 403


def test_next_only_redirects_inside_the_dashboard(client: FlaskClient, db: Database) -> None:
    """After login, ``next`` leads back to a dashboard page but never to another site."""
    make_user(db)
    token = csrf_token(client)
    form = {"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    resp = client.post("/moderation/login", data={**form, "next": "//evil.example/x"})
    assert resp.headers["Location"] == "/moderation/"
    client.post(
        "/moderation/logout", data={"csrf_token": csrf_token(client, "/moderation/account")}
    )
    token = csrf_token(client)
    resp = client.post(
        "/moderation/login", data={**form, "csrf_token": token, "next": "/moderation/account"}
    )
    assert resp.headers["Location"] == "/moderation/account"


def test_changing_the_password_ends_other_sessions(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A password change keeps this session and logs out every other one."""
    token = logged_in(client, db)
    other = app.test_client()
    assert login(other).status_code == 303
    new = "an even better passphrase"
    resp = client.post(
        "/moderation/account",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )
    assert resp.status_code == 303
    assert client.get("/moderation/account").status_code == 200
    assert other.get("/moderation/account").status_code == 401
    assert login(other, password=new).status_code == 303


def test_the_current_password_is_refused_as_the_new_one(client: FlaskClient, db: Database) -> None:
    """Typing the current password as the new one is a field error on the new password
    (it was accepted, audited as a change and logged out every other session)."""
    token = logged_in(client, db)
    resp = client.post(
        "/moderation/account",
        data={"csrf_token": token, "current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD},
        headers=HTML,
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert '<p class="field-error" id="password-error">This is your current password: ' in html
    assert 'name="password" autocomplete="new-password" required\n    aria-invalid="true"' in html
    assert "password_changed" not in audit_actions(db)


def test_the_account_page_lists_the_sites_one_moderates(app: Flask, db: Database) -> None:
    """A moderator sees the sites they moderate (name, slug, role) and not the others; an
    admin sees every site; a moderator without a site is told to ask an admin."""
    with db.session() as session:
        site_ops.create(session, "The Daily Planet", ["https://planet.example"], slug="planet")
        site_ops.create(session, "Other Paper", ["https://other.example"], slug="other")

    def account_page(email: str, **account: object) -> str:
        client = app.test_client()
        logged_in(client, db, email, **account)
        return client.get("/moderation/account", headers=HTML).get_data(as_text=True)

    page = account_page("mod@example.org", role="moderator", sites=["planet", "default"])
    assert '<h2 id="your-sites">Your sites</h2>' in page
    assert site_rows(page) == [
        ("Default site", "default", "moderator"),
        ("The Daily Planet", "planet", "moderator"),
    ]
    admin = site_rows(account_page("admin@example.org"))
    assert [(slug, role) for _, slug, role in admin] == [
        ("default", "admin"),
        ("other", "admin"),
        ("planet", "admin"),
    ]
    empty = account_page("new@example.org", role="moderator")
    assert site_rows(empty) == [] and "ask an admin to assign you one" in empty


def site_rows(html: str) -> list[tuple[str, str, str]]:
    """Return the account page's sites as (name, slug, role)."""
    return re.findall(
        r'<tr><td dir="auto">([^<]+)</td><td><code>([^<]+)</code></td><td>([^<]+)</td></tr>', html
    )


def audit_actions(db: Database) -> list[str]:
    """Return every audit entry's action, oldest first."""
    with db.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_setup_link_creates_the_first_admin(app: Flask, client: FlaskClient, db: Database) -> None:
    """With no account, the printed setup link creates the first admin and logs them in."""
    hint = first_admin.hint(app, "http://localhost")
    assert hint is not None and "/moderation/setup?token=" in hint
    link = next(w for w in hint.split() if "/moderation/setup?token=" in w)
    path = link.removeprefix("http://localhost")
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    token = csrf_token(client, path)
    form = {
        "csrf_token": token,
        "token": path.split("token=")[1],
        "email": "First@Example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    resp = client.post("/moderation/setup", data=form)
    assert resp.status_code == 303
    assert client.get("/moderation/account", headers=HTML).status_code == 200
    assert first_admin.hint(app, "http://localhost") is None
    form["csrf_token"] = csrf_token(client, "/moderation/account")
    again = client.post("/moderation/setup", data=form)
    assert again.status_code == 404
    assert again.get_json()["error"]["code"] == "setup_closed"


def test_setup_link_refuses_a_forged_token(client: FlaskClient, db: Database) -> None:
    """A setup token not signed with our secret is refused."""
    forged = first_admin.make_token("some other secret")
    resp = client.get(f"/moderation/setup?token={forged}")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "setup_link_invalid"


def test_setup_reports_every_bad_field(app: Flask, client: FlaskClient, db: Database) -> None:
    """A bad setup form is answered 422 with the problem named, and creates nobody."""
    token = first_admin.make_token(app.config["SECRET_KEY"])
    csrf = csrf_token(client, f"/moderation/setup?token={token}")
    resp = client.post(
        "/moderation/setup",
        data={
            "csrf_token": csrf,
            "token": token,
            "email": "a@example.org",
            "password": "x",
            "confirm": "y",
        },
    )
    assert resp.status_code == 422
    assert "differ" in resp.get_data(as_text=True)
    assert first_admin.hint(app, "http://localhost") is not None


def test_login_page_tells_how_to_start_without_accounts(client: FlaskClient, db: Database) -> None:
    """With no account yet, the login page explains how to create the first admin."""
    html = client.get("/moderation/login", headers=HTML).get_data(as_text=True)
    assert "setup link" in html and "moderato users create" in html
