"""Builders for test data: payloads and stored comments."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service.comments import IntakeMeta, store_new
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from service.validation import CommentInput

BENIGN = "Thanks for the thorough reporting. I had not seen the council figures before."
SPAM = (
    "EARN $5000 A WEEK FROM HOME!!! Click http://bit.ly/cash-now and http://casino-bonus.example "
    "for free money, crypto giveaway, WhatsApp +1 555 0100 now"
)


def payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid submission, with ``overrides`` applied (None removes a field)."""
    data: dict[str, Any] = {
        "thread": "article-1",
        "name": "Ada Reader",
        "email": "ada@example.org",
        "text": BENIGN,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client: FlaskClient, **overrides: Any) -> Any:
    """Post a comment as JSON and return the response."""
    return client.post("/api/v1/comments", json=payload(**overrides))


def stored(
    db: Database, *, state: State = State.PENDING, site: str = "default", **overrides: Any
) -> Comment:
    """Store a comment directly (bypassing the API), in ``state``."""
    data = payload(**overrides)
    with db.session() as session:
        site_row = session.scalars(select(Site).where(Site.slug == site)).one()
        fields = {k: data[k] for k in ("thread", "name", "email", "text")}
        accepted = store_new(
            session,
            site_row,
            CommentInput(site=site, url=data.get("url"), parent=data.get("parent"), **fields),
            IntakeMeta(),
        )
        accepted.comment.state = state.value
        return accepted.comment


def published(db: Database, *, site: str = "default", **overrides: Any) -> Comment:
    """Store a comment and publish it through the lifecycle, as the worker does (audit
    entry, ``published_at``, events)."""
    comment = stored(db, site=site, **overrides)
    change = Change(State.PENDING, State.PUBLISHED, actor="system:worker", action="classify")
    with db.session() as session:
        outcome = transition(session, comment.id, change)
        assert outcome is not None
        return outcome.comment


def count_comments(db: Database) -> int:
    """Return how many comments are stored."""
    with db.session() as session:
        return len(session.scalars(select(Comment.id)).all())
