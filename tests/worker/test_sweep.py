"""The sweep and the queues against a real Redis: a running job is not abandoned, a dead one
is; comments are served before webhook deliveries."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis as redis_lib
from flask import Flask
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from service.clock import utcnow
from service.enqueue import CLASSIFY, classify_job_id, queue_names
from service.extensions import queue
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored
from worker.sweep.comments import sweep_pending


def _pending_with_started_job(app: Flask, db: Database, started_ago: timedelta) -> str:
    """A pending comment queued long ago whose job a worker took ``started_ago``."""
    comment = stored(db)
    with db.session() as session:
        row = session.get(Comment, comment.id)
        assert row is not None
        row.enqueued_at = utcnow() - timedelta(minutes=10)
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    job = Job.create(CLASSIFY, args=(comment.id,), id=classify_job_id(comment.id), connection=conn,
                     timeout=30)  # fmt: skip
    job.started_at = utcnow() - started_ago
    job.save()
    job.set_status(JobStatus.STARTED)
    return comment.id


def _sweep(app: Flask, db: Database) -> int:
    with app.app_context():
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        return sweep_pending(rt, redis_lib.from_url(app.config["REDIS_URL"]))  # type: ignore[arg-type]


def _attempts(db: Database, comment_id: str) -> int:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row.attempts


def test_a_job_running_now_is_not_taken_for_abandoned(app: Flask, db: Database) -> None:
    """Under a backlog longer than SWEEP_AGE, the job being run is left alone: no re-queue,
    no false attempt (which would bring the classifier_error hold closer)."""
    running = _pending_with_started_job(app, db, timedelta(seconds=2))
    assert _sweep(app, db) == 0
    assert _attempts(db, running) == 0


def test_a_started_job_past_its_time_limit_is_requeued_as_an_attempt(
    app: Flask, db: Database
) -> None:
    """A classification started 20 s ago (they take milliseconds) belonged to a dead worker."""
    dead = _pending_with_started_job(app, db, timedelta(seconds=20))
    assert _sweep(app, db) == 1
    assert _attempts(db, dead) == 1


def test_a_comment_is_taken_before_waiting_webhook_deliveries(app: Flask) -> None:
    """Deliveries have a queue of their own, after the classifications' in the worker's
    order: RQ serves the first queue with a job, so comments never wait behind them."""
    with app.app_context():
        q = queue()
        assert q.enqueue_deliveries(["msg_first", "msg_second"])
        assert q.enqueue_classify("a-comment-id")
    names = queue_names(app.config["QUEUE_NAME"])
    assert names == [q.queue.name, q.deliveries.name]
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    taken = Queue.dequeue_any([Queue(n, connection=conn) for n in names], None, connection=conn)
    assert taken is not None
    assert taken[0].id == classify_job_id("a-comment-id")
    assert set(q.deliveries.get_job_ids()) == {"deliver-msg_first", "deliver-msg_second"}


def test_a_delivery_paused_for_an_endpoint_enabled_since_is_sent_again(
    app: Flask, db: Database
) -> None:
    """The worker pauses a delivery only while its endpoint is still disabled (an admin
    enabling it between the worker's read and its write stranded the delivery); a paused
    delivery of an enabled endpoint becomes pending at the next sweep and is queued."""
    from service import sites as site_ops
    from service.integrations.webhooks import create_endpoint
    from service.store.tables import WebhookDelivery, WebhookEndpoint
    from worker.sweep.outbound import sweep_deliveries
    from worker.webhooks.records import pause

    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        create_endpoint(session, site, "http://127.0.0.1:9/in", ["comment.received"],
                        allow_private=True)  # fmt: skip
    stored(db)
    with db.session() as session:
        (delivery,) = session.scalars(select(WebhookDelivery)).all()
        delivery_id = delivery.id
    assert pause(db, delivery_id) is False  # the endpoint is enabled: not paused
    with db.session() as session:
        assert session.get(WebhookDelivery, delivery_id).status == "pending"  # type: ignore[union-attr]
        session.execute(update(WebhookEndpoint).values(enabled=False))
    assert pause(db, delivery_id) is True
    with db.session() as session:
        assert session.get(WebhookDelivery, delivery_id).status == "paused"  # type: ignore[union-attr]
        session.execute(update(WebhookEndpoint).values(enabled=True))  # enabled, not via enable()
    with app.app_context():
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        conn = redis_lib.from_url(app.config["REDIS_URL"])
        sweep_deliveries(rt, conn)  # type: ignore[arg-type]
        with db.session() as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None and row.status == "pending"
            row.next_attempt_at = utcnow() - timedelta(minutes=5)
        assert sweep_deliveries(rt, conn) == 1  # type: ignore[arg-type]


def test_one_sweep_reads_batch_after_batch_until_every_lost_comment_is_queued(
    app: Flask, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After Redis lost its jobs, one sweep re-queues every lost comment, not one batch per
    interval (50 comments a second at 500 per 10 s); with no time left it stops after a
    batch, and the next sweep goes on. Comments whose job is waiting are skipped without
    stalling the pages after them. (BATCH is made small to page with a few rows.)"""
    from worker.sweep import paging

    monkeypatch.setattr(paging, "BATCH", 4)
    ids = [stored(db, thread=f"lost-{n}").id for n in range(11)]
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(ids))
            .values(enqueued_at=utcnow() - timedelta(minutes=10))
        )
    with app.app_context():
        assert queue().enqueue_classify(ids[1])  # its job is waiting: not lost
        conn = redis_lib.from_url(app.config["REDIS_URL"])
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        assert sweep_pending(rt, conn, budget=0) == 3  # type: ignore[arg-type]
        # a generous budget: on a loaded machine half the interval may pass after a page
        assert sweep_pending(rt, conn, budget=60) == 7  # type: ignore[arg-type]
        assert sweep_pending(rt, conn, budget=60) == 0  # type: ignore[arg-type]
        waiting = set(queue().queue.get_job_ids())
    assert waiting == {classify_job_id(i) for i in ids}


def test_overdue_deliveries_are_paged_the_same_way(
    app: Flask, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overdue webhook deliveries without a job are re-queued page after page in one sweep,
    all of them, each once."""
    from service import sites as site_ops
    from service.integrations.webhooks import create_endpoint
    from service.store.tables import WebhookDelivery
    from worker.sweep import paging
    from worker.sweep.outbound import sweep_deliveries

    monkeypatch.setattr(paging, "BATCH", 2)
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        create_endpoint(session, site, "http://127.0.0.1:9/in", ["comment.received"],
                        allow_private=True)  # fmt: skip
    for n in range(5):
        stored(db, thread=f"hooks-{n}")
    with db.session() as session:
        session.execute(
            update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(minutes=5))
        )
    with app.app_context():
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        conn = redis_lib.from_url(app.config["REDIS_URL"])
        assert sweep_deliveries(rt, conn, budget=60) == 5  # type: ignore[arg-type]
        assert sweep_deliveries(rt, conn, budget=60) == 0  # type: ignore[arg-type]
        deliveries = queue().deliveries  # due now: scheduled, promoted by the next tick
        assert len(deliveries.scheduled_job_registry.get_job_ids()) == 5


def test_a_redis_that_refuses_writes_charges_no_attempt(app: Flask, db: Database) -> None:
    """With Redis refusing writes (out of memory, a full disk, a read-only replica) the
    sweep queues nothing and charges nothing: a whole page was charged an attempt per
    sweep, and after five sweeps every comment was held unscored without one re-run
    (found in review). Once Redis takes writes, each is queued with one attempt."""
    ids = [
        _pending_with_started_job(app, db, timedelta(seconds=20)) for _ in range(3)
    ]  # jobs a dead worker had started: each re-queue is an attempt
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    saved = conn.config_get("maxmemory")["maxmemory"]
    conn.config_set("maxmemory-policy", "noeviction")
    conn.config_set("maxmemory", 1)
    try:
        for _ in range(6):
            assert _sweep(app, db) == 0
    finally:
        conn.config_set("maxmemory", saved)
    assert [_attempts(db, i) for i in ids] == [0, 0, 0]
    with db.session() as session:
        assert {session.get(Comment, i).state for i in ids} == {"pending"}  # type: ignore[union-attr]
    assert _sweep(app, db) == 3
    assert [_attempts(db, i) for i in ids] == [1, 1, 1]


def test_an_edited_comment_is_swept_by_its_revisions_job(app: Flask, db: Database) -> None:
    """A comment its author edited (revision 1) is looked after through its edit's job, not
    the finished job of the text before: waiting, it is left alone; lost, it is queued
    again for that revision."""
    comment = stored(db)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(revision=1, enqueued_at=utcnow() - timedelta(minutes=10))
        )
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    done = Job.create(CLASSIFY, args=(comment.id,), id=classify_job_id(comment.id), connection=conn)
    done.save()
    done.set_status(JobStatus.FINISHED)  # the text before: decided long ago
    with app.app_context():
        assert queue().enqueue_classify(comment.id, 1)
    assert _sweep(app, db) == 0  # the edit's job waits in the queue
    Queue("moderato", connection=conn).empty()
    assert _sweep(app, db) == 1  # lost: queued again, for revision 1
    waiting = Queue("moderato", connection=conn).get_job_ids()
    assert waiting == [classify_job_id(comment.id, 1)]
    assert Job.fetch(waiting[0], connection=conn).args == (comment.id, 1)
