"""A comment the sweep queues again (its first job lost) is followed through the logs by the
id of the request that submitted it, or that last edited it: the new job carries it and
the sweep's line links the two; a comment with no recorded id gets a new one marked as the
sweep's. Real Redis, real sweeps, a real worker process for the whole path."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from rq.job import Job
from sqlalchemy import select, update

from service import create_app, request_ids
from service.clock import utcnow
from service.embedded_redis import free_port
from service.enqueue import classify_job_id
from service.extensions import queue
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.factories import payload, stored
from tests.helpers import wait_for
from worker.sweep.comments import sweep_pending


def lose_jobs_of(app: Flask, db: Database, comment_id: str) -> None:
    """Make Redis forget every job of the comment, queued long enough ago to be swept."""
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    for job_id in Queue(app.config["QUEUE_NAME"], connection=conn).get_job_ids():
        if comment_id in job_id:
            Job.fetch(job_id, connection=conn).delete()
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(enqueued_at=utcnow() - timedelta(minutes=10))
        )


def sweep(app: Flask, db: Database, caplog: pytest.LogCaptureFixture) -> int:
    """Run one real sweep of pending comments, its log lines captured as the worker's
    handler writes them (with ``request_id_field``)."""
    caplog.set_level(logging.INFO, logger="worker.sweep")
    caplog.handler.addFilter(request_ids.LogFilter())
    with app.app_context():
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        return sweep_pending(rt, redis_lib.from_url(app.config["REDIS_URL"]))  # type: ignore[arg-type]


def queued_meta(app: Flask, job_id: str) -> dict[str, Any]:
    """Return the meta of job ``job_id``, which must be waiting in the queue."""
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    assert job_id in Queue(app.config["QUEUE_NAME"], connection=conn).get_job_ids()
    return Job.fetch(job_id, connection=conn).meta


def swept_line(caplog: pytest.LogCaptureFixture, comment_id: str) -> str:
    """Return the sweep's line about ``comment_id`` as the worker's log shows it."""
    (record,) = [r for r in caplog.records if comment_id in r.getMessage()]
    return record.getMessage() + record.request_id_field  # type: ignore[attr-defined]


def test_a_lost_job_is_queued_again_under_the_id_of_the_submission(
    app: Flask, client: FlaskClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Posted with `X-Request-Id: edge-4b1c`, its job lost: the sweep's new job carries
    `edge-4b1c`, and its line says so (it carried none, so the comment's trail ended at
    the sweep). The submission's audit entry keeps the id."""
    rv = client.post("/api/v1/comments", json=payload(), headers={"X-Request-Id": "edge-4b1c"})
    assert rv.status_code == 202
    comment_id = rv.get_json()["id"]
    with db.session() as session:
        received = session.scalars(
            select(AuditEntry).where(
                AuditEntry.comment_id == comment_id, AuditEntry.action == "received"
            )
        ).one()
        assert received.details.get("request_id") == "edge-4b1c"
    lose_jobs_of(app, db, comment_id)

    assert sweep(app, db, caplog) == 1

    assert queued_meta(app, classify_job_id(comment_id)) == {"request_id": "edge-4b1c"}
    assert swept_line(caplog, comment_id) == (
        f"sweep: comment {comment_id} queued again (no job of it was waiting) request_id=edge-4b1c"
    )


def test_an_edited_comment_is_queued_again_under_the_id_of_the_edit(
    app: Flask, client: FlaskClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """The job of an edit's revision, lost, comes back with the edit request's id, not
    the submission's: that request wrote the text the job decides."""
    rv = client.post("/api/v1/comments", json=payload(), headers={"X-Request-Id": "post-1"})
    body = rv.get_json()
    edited = client.patch(
        f"/api/v1/comments/{body['id']}",
        json={"text": "Edited: a kinder and clearer remark about the article."},
        headers={"Moderato-Edit-Token": body["edit_token"], "X-Request-Id": "edit-77"},
    )
    assert edited.status_code == 202, edited.get_json()
    lose_jobs_of(app, db, body["id"])

    assert sweep(app, db, caplog) == 1

    assert queued_meta(app, classify_job_id(body["id"], 1)) == {"request_id": "edit-77"}
    assert swept_line(caplog, body["id"]).endswith(" request_id=edit-77")


def test_a_comment_without_a_recorded_id_gets_one_marked_as_the_sweeps(
    app: Flask, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A comment stored with no request id (before ids were kept) is queued again under a
    new `sweep-<32 hex>` id, and the sweep's line links the comment to it."""
    comment_id = stored(db).id
    lose_jobs_of(app, db, comment_id)

    assert sweep(app, db, caplog) == 1

    rid = queued_meta(app, classify_job_id(comment_id))["request_id"]
    assert re.fullmatch(r"sweep-[0-9a-f]{32}", rid), rid
    assert swept_line(caplog, comment_id) == (
        f"sweep: comment {comment_id} queued again (no job of it was waiting) request_id={rid}"
    )


@pytest.mark.slow
def test_a_comment_posted_while_redis_is_away_is_followed_from_its_request_to_its_decision(
    settings: dict[str, Any], db: Database, start_worker: Callable[..., Any], tmp_path: Path
) -> None:
    """Posted with `X-Request-Id: trace-lost-1` while Redis does not answer (202, stored
    pending, not queued), then a real worker starts: its sweep's line and its decision's
    line both end with `request_id=trace-lost-1`, the id the poster's answer carried."""
    away = create_app({**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    rv = away.test_client().post(
        "/api/v1/comments", json=payload(thread="lost"), headers={"X-Request-Id": "trace-lost-1"}
    )
    assert rv.status_code == 202 and rv.headers["X-Request-Id"] == "trace-lost-1"
    comment_id = rv.get_json()["id"]
    away.extensions["moderato.db"].dispose()

    start_worker()
    log = tmp_path / "worker-0.log"

    def lines() -> list[str]:
        return [ln for ln in log.read_text(errors="replace").splitlines() if comment_id in ln]

    wait_for(lambda: any(f"comment {comment_id}: published" in ln for ln in lines()), timeout=60)
    swept = [ln for ln in lines() if "worker.sweep" in ln]
    decided = [ln for ln in lines() if f"worker.jobs: comment {comment_id}: published" in ln]
    assert len(swept) == 1 and len(decided) == 1, lines()
    assert swept[0].endswith(" request_id=trace-lost-1"), swept
    assert decided[0].endswith(" request_id=trace-lost-1"), decided
