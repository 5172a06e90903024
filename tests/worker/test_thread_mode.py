"""A thread's own moderation mode, applied by the worker's job on real models."""

from __future__ import annotations

from typing import Any

from service.store import Database
from service.store.tables import Comment
from tests.factories import stored
from tests.service.test_threads import _set
from worker.jobs import classify_comment


def test_a_pre_moderated_thread_holds_what_the_site_would_publish(
    db: Database, worker_runtime: Any
) -> None:
    """The worker applies the thread's own mode, and the reason says it is the thread's."""
    _set(db, "sensitive", mode="pre")
    held = stored(db, thread="sensitive")
    elsewhere = stored(db, thread="article-1")
    assert classify_comment(held.id) == "hold"
    assert classify_comment(elsewhere.id) == "publish"
    with db.session() as session:
        row = session.get(Comment, held.id)
        assert row is not None and row.decision is not None
        assert row.decision["summary"][0] == "this thread's comments are reviewed before publishing"
        assert row.decision["thresholds"]["mode"] == "pre"
    _set(db, "sensitive", mode=None)
    again = stored(db, thread="sensitive")
    assert classify_comment(again.id) == "publish"
