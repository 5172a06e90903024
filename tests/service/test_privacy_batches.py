"""A commenter's erasure in batches (the CLI's, the dashboard's and the API's): one
transaction per batch, the whole job's result, and a failed batch finished by running
the erasure again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from service import privacy
from service.privacy import erasure
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.privacy_helpers import ADA, ADA_IP, SECRET_TEXT, _every_stored_value, _life_of_ada


def test_erase_in_batches_commits_each_batch_and_finishes_the_whole_job(db: Database) -> None:
    """The CLI and the dashboard erase a batch of comments per transaction (an erasure of
    thousands must not hold SQLite's one write lock for tens of seconds): the result is
    the one-transaction erasure's, with one audit entry carrying the totals, and an IP
    hash that only a later batch's comment carries is scrubbed from an earlier batch's
    audit entries too."""
    ids = _life_of_ada(db)
    with db.session() as session:  # on the first comment, naming the second one's IP hash
        session.add(AuditEntry(comment_id=ids["published"], actor="system:worker",
                               action="classify", details={"summary": [f"banned ip: {ADA_IP}"]}))  # fmt: skip
    commits = 0

    def count(conn: Any) -> None:
        nonlocal commits
        commits += 1

    from sqlalchemy import event

    event.listen(db.engine, "commit", count)
    try:
        done = privacy.erase_in_batches(db, ADA, "cli", batch=1)
    finally:
        event.remove(db.engine, "commit", count)
    assert (done.comments, done.taken_down, done.checks) == (3, 2, 1)
    assert len(done.deliveries) == 2
    assert commits >= 4  # the address and IP hashes, then three batches of one
    after = _every_stored_value(db)
    assert ADA not in after and ADA_IP not in after and "lovelace" not in after
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_erase")
        ).all()
        assert [e.details for e in entries] == [
            {
                "comments": 3,
                "taken_down": 2,
                "checks": 1,
                "reply_notifications": 0,
                "remaining": 0,
                "complete": True,
            }
        ]
        assert privacy.export(session, ADA)["comments"] == []


def test_an_interrupted_batched_erasure_is_finished_by_running_it_again(db: Database) -> None:
    """A batch that fails rolls back alone: the batches before it stay erased, and the same
    command run again erases the rest (an erased comment no longer carries the address)."""
    ids = _life_of_ada(db)
    real = erasure._take_down
    calls = 0

    def fails_on_the_second(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the process died")
        return real(*args)

    erasure._take_down = fails_on_the_second  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            privacy.erase_in_batches(db, ADA, "cli", batch=1)
    finally:
        erasure._take_down = real  # type: ignore[assignment]
    with db.session() as session:
        assert session.get(Comment, ids["published"]).text == ""  # type: ignore[union-attr]
        assert session.get(Comment, ids["held"]).text.startswith(SECRET_TEXT)  # type: ignore[union-attr]
        assert len(privacy.export(session, ADA)["comments"]) == 2
    done = privacy.erase_in_batches(db, ADA, "cli", batch=1)
    assert (done.comments, done.checks) == (2, 1)
    after = _every_stored_value(db)
    assert ADA not in after and "lovelace" not in after
