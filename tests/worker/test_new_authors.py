"""The site policy's ``new_authors: hold``, applied by the worker's job on real models."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, update

from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from tests.factories import SPAM, post, stored
from worker.jobs import classify_comment
from worker.rules import NEW_AUTHOR


def _hold_new_authors(db: Database, mode: str = "auto") -> None:
    with db.session() as session:
        session.execute(
            update(Site)
            .where(Site.slug == "default")
            .values(policy={"mode": mode, "new_authors": "hold"})
        )


def _decision(db: Database, comment_id: str) -> tuple[str, list[str]]:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None and row.decision is not None
        return row.state, row.decision["summary"]


def test_a_first_comment_is_held_until_the_author_has_one_published(
    db: Database, worker_runtime: Any
) -> None:
    """With new authors held, a benign first comment waits with the reason said; once a
    comment of that address is published, the next one, typed in other capitals, is
    published by its scores (found in review: the address was matched as typed)."""
    _hold_new_authors(db)
    first = stored(db, email="Ada@Example.org")  # kept as typed: Ada@example.org
    assert classify_comment(first.id) == "hold"
    state, summary = _decision(db, first.id)
    assert state == "held" and summary[0] == NEW_AUTHOR
    second = stored(db, email="ada@example.org")
    assert classify_comment(second.id) == "hold"  # a held comment does not make one known
    with db.session() as session:
        session.execute(update(Comment).where(Comment.id == first.id).values(state="published"))
    later = stored(db, email=" ADA@example.ORG")  # another spelling of the same address
    assert classify_comment(later.id) == "publish"


def test_known_on_another_site_is_new_here_and_the_default_scores_everyone(
    db: Database, worker_runtime: Any
) -> None:
    """An address published only on another site is new on this one; without the setting
    (the default policy) a first comment is published by its scores."""
    assert classify_comment(stored(db, email="new@example.org").id) == "publish"
    with db.session() as session:
        session.add(Site(slug="other", name="Other", origins=[], policy={}))
    stored(db, site="other", state=State.PUBLISHED, email="bob@example.org")
    _hold_new_authors(db)
    assert classify_comment(stored(db, email="bob@example.org").id) == "hold"


def test_post_moderation_publishes_a_new_author_and_spam_is_still_rejected(
    db: Database, worker_runtime: Any
) -> None:
    """In post mode (publish all not rejected) a new author is published; in auto mode a
    new author's obvious spam is rejected by its score, not merely held."""
    _hold_new_authors(db, mode="post")
    assert classify_comment(stored(db, email="p@example.org").id) == "publish"
    _hold_new_authors(db)
    assert classify_comment(stored(db, email="s@example.org", text=SPAM).id) == "reject"


@pytest.mark.parametrize(
    ("published_as", "typed"),
    [
        pytest.param("J\u030cohn@example.org", "\u01f0ohn@example.org", id="combining-caron"),
        pytest.param("Zoe\u0308@example.org", "ZO\u00cb@example.org", id="decomposed-diaeresis"),
        pytest.param("\u212aelvin@example.org", "kelvin@example.org", id="kelvin-sign"),
        pytest.param("İnci@example.org", "i\u0307nci@example.org", id="dotted-capital-i"),
    ],
)
def test_an_author_is_known_in_any_spelling_of_the_address(
    client: FlaskClient, db: Database, worker_runtime: Any, published_as: str, typed: str
) -> None:
    """An address is known by its key (``email_key``), as bans and privacy requests match
    it: ``ǰohn@…`` is not a new author once ``J̌ohn@…`` was published (the avatar hash told
    them apart, and held him as new), in either order; the policy page's replay agrees."""
    _hold_new_authors(db)
    for first, then in ((published_as, typed), (typed, published_as)):
        stored(db, state=State.PUBLISHED, email=first, thread=first)
        comment = post(client, email=then, thread=first).get_json()["id"]
        assert classify_comment(comment) == "publish"
        with db.session() as session:
            session.execute(delete(Comment))
