"""Builders for dashboard tests: accounts, logged-in clients, CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask.testing import FlaskClient

from service import users
from service.store import Database

PASSWORD = "correct horse battery"
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def make_user(
    db: Database,
    email: str = "admin@example.org",
    role: str = "admin",
    sites: Sequence[str] = (),
    password: str = PASSWORD,
) -> int:
    """Create an account and return its id."""
    with db.session() as session:
        return users.create(session, email, password, role, sites).id


def csrf_token(client: FlaskClient, path: str = "/moderation/login") -> str:
    """Return the session's CSRF token, as a page of the dashboard carries it."""
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    found = _META.search(html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: FlaskClient, email: str = "admin@example.org", password: str = PASSWORD) -> Any:
    """Log ``client`` in through the login form; return the response."""
    token = csrf_token(client)
    return client.post(
        "/moderation/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Accept": "text/html"},
    )


def logged_in(
    client: FlaskClient, db: Database, email: str = "admin@example.org", **kwargs: Any
) -> str:
    """Create an account, log ``client`` in and return the session's CSRF token."""
    make_user(db, email, **kwargs)
    resp = login(client, email)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return csrf_token(client, "/moderation/account")
