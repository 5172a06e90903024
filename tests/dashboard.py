"""Builders for dashboard tests: accounts, logged-in clients, CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import users
from service.clock import utcnow
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from service.store.tables import Label as LabelRow
from tests.factories import stored

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


def held(
    db: Database,
    *,
    text: str = "Interesting read. Visit my blog for more: http://myblog.example",
    spam: float | None = 0.86,
    toxicity: float | None = 0.03,
    reasons: list[dict[str, Any]] | None = None,
    summary: list[str] | None = None,
    state: State = State.HELD,
    rejection: str | None = None,
    ip_hash: str | None = None,
    **overrides: Any,
) -> str:
    """Store a comment as the worker leaves it (held, scored, with reasons); return its id."""
    comment = stored(db, state=state, text=text, **overrides)
    if reasons is None:
        start = text.find("http")
        reasons = (
            [{"model": "spam", "kind": "link", "text": "myblog.example", "weight": 3.7,
              "span": [start, len(text)]}]
            if start >= 0
            else []
        )  # fmt: skip
    with db.session() as session:
        row = session.get(Comment, comment.id)
        assert row is not None
        row.spam = spam
        row.toxicity = toxicity
        row.rejection = rejection
        row.ip_hash = ip_hash
        row.model_version = "spam-test+tox-test" if spam is not None else None
        row.decision = {
            "action": "hold" if state is State.HELD else "publish",
            "summary": summary or ["spam score 0.86 is at or above the publish threshold 0.50"],
            "reasons": reasons,
            "thresholds": {"mode": "auto", "publish_below": {"spam": 0.5, "toxicity": 0.5}},
            "model_version": "spam-test+tox-test",
        }
        session.add(
            AuditEntry(
                comment_id=row.id,
                site_id=row.site_id,
                actor="system:worker",
                action="classify",
                from_state="pending",
                to_state=state.value,
                details={},
            )
        )
    return comment.id


def card_ids(html: str) -> list[str]:
    """Return the ids of the cards on a page, in order."""
    return re.findall(r'<li class="card[^"]*" id="c-([^"]+)"', html)


def next_link(html: str) -> str | None:
    """Return the page's Next link, if it has one."""
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def prev_link(html: str) -> str | None:
    """Return the page's Previous link, if it has one."""
    found = re.search(r'<a rel="prev" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def held_with_ties(db: Database, n: int) -> list[str]:
    """Store ``n`` held comments, half at one shared time, scores repeating; return their ids."""
    same_time = utcnow() - timedelta(hours=1)
    ids = []
    for i in range(n):
        comment_id = held(db, text=f"Comment {i}", spam=[0.9, 0.7, None][i % 3])
        ids.append(comment_id)
        if i % 2:
            with db.session() as session:
                row = session.get(Comment, comment_id)
                assert row is not None
                row.created_at = same_time
    return ids


def page_through(client: FlaskClient, sort: str) -> list[str]:
    """Return the card ids of the held queue in ``sort``, following Next from the first page."""
    seen: list[str] = []
    link: str | None = f"/moderation/queue/held?sort={sort}"
    while link:
        resp = client.get(link, headers={"Accept": "text/html"})
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        html = resp.get_data(as_text=True)
        seen += card_ids(html)
        link = next_link(html)
    return seen


def state_of(db: Database, comment_id: str) -> tuple[str, str | None]:
    """Return a comment's state and rejection reason."""
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row.state, row.rejection


def labels_of(db: Database, comment_id: str) -> list[str]:
    """Return the labels recorded for a comment, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(LabelRow.label)
                .where(LabelRow.comment_id == comment_id)
                .order_by(LabelRow.id)
            )
        )


def audit_of(db: Database, comment_id: str) -> list[AuditEntry]:
    """Return a comment's audit entries, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.comment_id == comment_id)
                .order_by(AuditEntry.id)
            )
        )
