"""An author's edit re-moderated by the worker, and the race between an edit and a
classification already running on the text before it (real Redis, SQLite and models)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
import redis as redis_lib
from flask.testing import FlaskClient
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import select

from models.scoring import Scorer
from service.enqueue import classify_job_id
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.factories import BENIGN, SPAM, post
from tests.helpers import wait_for
from worker import runtime
from worker.callbacks import classification_failed, hold_for_classifier_error
from worker.jobs import classify_comment

WAIT = 20


class EditsWhileScoring:
    """The real models; the author's edit lands while they score the text before it (the
    race, made to happen every time: between the job's read and its decision)."""

    def __init__(self, real: Scorer, edit: Callable[[], None]) -> None:
        self.real, self.edit, self.model_version = real, edit, real.model_version
        self.scored: list[str] = []

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        result = self.real.score(items)
        self.scored.append(str(items[0]["text"]))
        if len(self.scored) == 1:
            self.edit()
        return result


def _row(db: Database, comment_id: str) -> Comment:
    with db.session() as session:
        found = session.get(Comment, comment_id)
        assert found is not None
        return found


def _decisions(db: Database, comment_id: str) -> list[tuple[str, str | None]]:
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.comment_id == comment_id, AuditEntry.actor == "system:worker")
            .order_by(AuditEntry.id)
        )
        return [(e.action, e.to_state) for e in entries]


def _edit(client: FlaskClient, body: dict[str, Any], text: str) -> Any:
    return client.patch(
        f"/api/v1/comments/{body['id']}",
        json={"text": text},
        headers={"Moderato-Edit-Token": body["edit_token"]},
    )


def test_a_job_scoring_the_text_before_an_edit_does_not_decide_the_comment(
    client: FlaskClient, db: Database, worker_runtime: runtime.Runtime, redis_url: str
) -> None:
    """A benign comment is being scored when its author edits spam into it: that job's
    "publish" changes nothing (its revision is gone); the edit's own job, from the queue,
    scores the spam and holds or rejects it. The comment is never published."""
    body = post(client).get_json()
    answers: list[int] = []
    scorer = EditsWhileScoring(
        worker_runtime.scorer, lambda: answers.append(_edit(client, body, SPAM).status_code)
    )
    worker_runtime.scorer = scorer  # type: ignore[assignment]
    assert classify_comment(body["id"]) == "skipped"
    assert scorer.scored == [BENIGN] and answers == [202]
    assert (_row(db, body["id"]).state, _row(db, body["id"]).text) == ("pending", SPAM)
    assert _decisions(db, body["id"]) == []
    conn = redis_lib.from_url(redis_url)
    SimpleWorker([Queue("moderato", connection=conn)], connection=conn).work(burst=True)
    assert scorer.scored[-1] == SPAM
    row = _row(db, body["id"])
    assert row.state in ("held", "rejected") and row.revision == 1
    assert row.spam is not None and row.spam >= 0.5
    assert [to for _, to in _decisions(db, body["id"])] == [row.state]


def test_a_published_comment_edited_mid_decision_is_decided_on_its_new_text(
    client: FlaskClient, db: Database, worker_runtime: runtime.Runtime
) -> None:
    """Edited while a job holds the old text's scores, after publication: the old job does
    nothing, the edit's job (revision 1) decides; a job of revision 0 run late does nothing."""
    body = post(client).get_json()
    assert classify_comment(body["id"]) == "publish"
    assert _edit(client, body, SPAM).status_code == 202
    assert classify_comment(body["id"], 0) == "skipped"  # a late duplicate of the first job
    assert classify_comment(body["id"], 1) in ("hold", "reject")
    assert client.get("/api/v1/comments?thread=article-1").get_json()["items"] == []


def test_a_failed_job_of_the_text_before_holds_nothing(
    client: FlaskClient, db: Database, worker_runtime: runtime.Runtime
) -> None:
    """The classifier_error hold of a job whose text was edited since changes nothing: the
    edit's own job decides (or holds it if it fails in turn)."""
    body = post(client).get_json()
    assert _edit(client, body, BENIGN + " Edited.").status_code == 202
    assert not hold_for_classifier_error(body["id"], "boom", revision=0)
    assert _row(db, body["id"]).state == "pending"
    assert hold_for_classifier_error(body["id"], "boom", revision=1)
    assert _row(db, body["id"]).state == "held"


def test_the_posts_own_job_failing_after_an_edit_holds_nothing(
    client: FlaskClient, db: Database, worker_runtime: runtime.Runtime, redis_url: str
) -> None:
    """The intake's job (``classify-<id>``, queued with the comment id alone) fails its last
    attempt after the author edited the comment: its classifier_error hold is about the text
    as posted (revision 0), so the edited text stays pending for its own job (it was held
    for a human with the error of a job that never saw it; found in review)."""
    body = post(client).get_json()
    job = Job.fetch(classify_job_id(body["id"]), connection=redis_lib.from_url(redis_url))
    assert job.args == [body["id"]] or job.args == (body["id"],)
    assert _edit(client, body, BENIGN + " Edited.").status_code == 202
    job.retries_left = 0
    classification_failed(job, job.connection, RuntimeError, RuntimeError("boom"), None)
    assert _row(db, body["id"]).state == "pending"
    assert _decisions(db, body["id"]) == []


@pytest.mark.slow
def test_a_benign_comment_edited_into_spam_leaves_the_thread_end_to_end(
    client: FlaskClient, db: Database, start_worker: Callable[..., Any]
) -> None:
    """With a real worker process: a benign comment is published and listed; its author
    edits obvious spam into it; the worker holds or rejects the new text, and the thread
    lists neither the old text nor the new one."""
    start_worker()
    body = post(client, thread="edit-e2e").get_json()

    def items() -> list[dict[str, Any]]:
        listing = client.get("/api/v1/comments?thread=edit-e2e").get_json()
        return list(listing["items"])

    wait_for(lambda: [i["text"] for i in items()] == [BENIGN], timeout=WAIT)
    assert _edit(client, body, SPAM).status_code == 202
    assert items() == []
    state = wait_for(lambda: (s := _row(db, body["id"]).state) != "pending" and s, timeout=WAIT)
    assert state in ("held", "rejected")
    assert items() == []
    assert _decisions(db, body["id"])[-1][1] == state
    status = client.get(f"/api/v1/comments/{body['id']}").get_json()
    assert status["status"] == state and "comment" not in status


@pytest.mark.slow
def test_the_listing_marks_a_comment_edited_once_its_new_text_is_published(
    client: FlaskClient, db: Database, start_worker: Callable[..., Any]
) -> None:
    """With a real worker process: a published comment is listed with ``edited_at`` null;
    its author edits it, the worker publishes the new text, and the listing (and the
    comment's own read) carry the new text with ``edited_at``, the time of the edit."""
    start_worker()
    body = post(client, thread="edit-mark").get_json()

    def items() -> list[dict[str, Any]]:
        listing = client.get("/api/v1/comments?thread=edit-mark").get_json()
        return list(listing["items"])

    wait_for(lambda: [i["text"] for i in items()] == [BENIGN], timeout=WAIT)
    assert items()[0]["edited_at"] is None
    edited = _edit(client, body, BENIGN + " Edited.")
    assert edited.status_code == 202
    wait_for(lambda: [i["text"] for i in items()] == [BENIGN + " Edited."], timeout=WAIT)
    item = items()[0]
    assert item["edited_at"] == edited.get_json()["edited_at"]
    assert item["edited_at"] is not None and item["edited_at"] >= item["created_at"]
    status = client.get(f"/api/v1/comments/{body['id']}").get_json()
    assert status["comment"]["edited_at"] == item["edited_at"]
