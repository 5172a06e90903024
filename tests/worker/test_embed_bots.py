"""Bot traps end to end through a real worker: rejected with reason bot, after a normal 202."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import antibot
from service.store import Database
from service.store.tables import Comment
from tests.factories import payload
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def decided(db: Database, comment_id: str) -> Comment | None:
    with db.session() as session:
        comment = session.scalars(select(Comment).where(Comment.id == comment_id)).one()
        return None if comment.state == "pending" else comment


def test_trapped_bots_are_rejected_for_bot_and_a_person_is_published(
    app: Flask, client: FlaskClient, db: Database, start_worker: Callable[..., Any]
) -> None:
    """Honeypot, forged and too-fast tokens end rejected/bot; a valid token is published,
    and a second comment replaying that token is held for a moderator, with the reason."""
    start_worker()
    fresh = client.get("/embed/token?thread=article-1").get_json()["token"]
    forged = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    bots = [
        {antibot.HONEYPOT_FIELD: "http://seo.example", antibot.TOKEN_FIELD: fresh},
        {antibot.TOKEN_FIELD: forged},
        {antibot.TOKEN_FIELD: fresh},  # sent at once: under the 3 s minimum fill time
    ]
    ids = []
    for extra in bots:
        rv = client.post("/api/v1/comments", json=payload(**extra))
        assert rv.status_code == 202
        assert rv.get_json()["status"] == "pending"
        ids.append(rv.get_json()["id"])
    app.config["FORM_TOKEN_MIN_SECONDS"] = 0
    person = client.post("/api/v1/comments", json=payload(**{antibot.TOKEN_FIELD: fresh}))
    replay = client.post(
        "/api/v1/comments", json=payload(text="Me too!", **{antibot.TOKEN_FIELD: fresh})
    )
    assert replay.status_code == 202
    for comment_id in ids:
        comment = wait_for(lambda cid=comment_id: decided(db, cid), timeout=20)
        assert (comment.state, comment.rejection) == ("rejected", "bot")
    human = wait_for(lambda: decided(db, person.get_json()["id"]), timeout=20)
    assert human.state == "published"
    replayed = wait_for(lambda: decided(db, replay.get_json()["id"]), timeout=20)
    assert replayed.state == "held"
    assert replayed.signals["form_token"] == "reused"
    assert "the form token was already used by an earlier comment" in replayed.decision["summary"]
