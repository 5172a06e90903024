"""The sweep: find accepted work whose job was lost, and queue it again.

Runs in a thread of every worker process; a Redis lock lets one worker sweep
per interval. The same thread moves RQ's scheduled retries to the queue when
they fall due (RQ's own scheduler would fork a child process that outlives a
killed worker). A comment is re-queued when it has waited ``SWEEP_AGE`` seconds
since it was last queued and its job is not waiting in the queue (it was never
queued because Redis was down, or its worker died holding it, or Redis lost
it). Each
re-queue of a job that had started and vanished counts as an attempt; after
``CLASSIFY_MAX_ATTEMPTS`` the comment is held with ``classifier_error``, so a
comment that crashes workers cannot loop for ever, and is never published unseen.
A job started moments ago (a classification within ``CLASSIFY_RUNS_FOR`` seconds, a
delivery within its time limit) is being run, not lost, and is left alone.

Webhook deliveries and mails get the same care: a pending delivery (or mail) overdue
by ``SWEEP_AGE`` seconds whose job is neither waiting nor scheduled is queued again
(the job's claim makes a duplicate harmless). Expired check records of
the Akismet-compatible API, and idempotency keys older than a day, are purged here too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from typing import Any

import redis
from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.scheduler import RQScheduler
from sqlalchemy import and_, delete, or_, select, update

from service import idempotency
from service.clock import utcnow
from service.enqueue import (
    classify_job_id,
    delivery_job_id,
    mail_job_id,
    queue_names,
    webhooks_queue_name,
)
from service.status import State
from service.store import Database
from service.store.tables import Comment, WebhookDelivery, WebhookEndpoint
from service.store.tables_integrations import Check
from service.store.tables_notify import MailMessage
from worker.callbacks import hold_for_classifier_error
from worker.runtime import Runtime

log = logging.getLogger(__name__)

LOCK_KEY = "moderato:sweep:lock"
#: Not an RQ status: a started job still inside its time limit (see ``job_status``).
RUNNING = "running"
RUNNING_GRACE = 30  # seconds past a job's timeout before its worker is presumed dead
DEFAULT_TIMEOUT = 180  # RQ's default job timeout
#: A classification takes milliseconds: one started longer ago than this lost its worker.
CLASSIFY_RUNS_FOR = 15.0
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, RUNNING}
ABANDONED = {JobStatus.STARTED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
#: Rows read per query; a sweep reads batch after batch (keyset pagination) until none
#: is left or it has spent ``BUDGET_SHARE`` of the interval (after Redis lost 20,000 jobs,
#: one batch per interval re-queued 50 comments a second, slower than the workers).
BATCH = 500
BUDGET_SHARE = 0.5


def job_status(
    connection: Redis, job_id: str, runs_for: float | None = None
) -> JobStatus | str | None:
    """Return the status of an RQ job, or None if Redis does not know it.

    A job started less than ``runs_for`` seconds ago (default: its time limit plus a
    grace) is reported as ``RUNNING``, not started: under a backlog longer than
    ``SWEEP_AGE`` the job a worker is running right now is not abandoned, and re-queueing
    it would count a false attempt. A worker killed mid-job cannot say so (RQ's worker
    key outlives it by minutes), so the window is all there is to tell them apart.
    """
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        limit = timedelta(
            seconds=runs_for
            if runs_for is not None
            else (job.timeout or DEFAULT_TIMEOUT) + RUNNING_GRACE
        )
        if utcnow() - started < limit:
            return RUNNING
    return status


def _budget(rt: Runtime, budget: float | None) -> float:
    """Return the monotonic time a sweep stops reading further batches."""
    seconds = (
        budget if budget is not None else BUDGET_SHARE * float(rt.app.config["SWEEP_INTERVAL"])
    )
    return time.monotonic() + seconds


def sweep_pending(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending comments whose job was lost, oldest first, batch after batch until
    none is left or ``budget`` seconds (default: half the interval) are spent; return how
    many were queued."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    query = select(Comment.id, Comment.attempts, Comment.created_at).where(
        Comment.state == State.PENDING.value, Comment.enqueued_at < cutoff
    )
    queued = _pages(
        rt,
        query,
        Comment.created_at,
        Comment.id,
        _budget(rt, budget),
        lambda rows: _requeue_comments(rt, connection, rows),
    )
    if queued:
        log.info("sweep: re-queued %d pending comment(s)", queued)
    return queued


#: Re-queues one page of rows: (how many, whether Redis refused an enqueue).
Requeue = Callable[[Sequence[Any]], tuple[int, bool]]


def _pages(rt: Runtime, query: Any, order: Any, key: Any, deadline: float, requeue: Requeue) -> int:
    """Run ``requeue`` on the rows of ``query`` (selecting id, attempts, ``order``) page by
    page in (``order``, ``key``) order, each page after the last one's row (keyset
    pagination: rows it skipped stay behind it, never read twice), until a short page, a
    page with nothing lost (a backlog: its rows wait in the queue, and paging through
    them slowed the worker; found in review), a refused enqueue or ``deadline``; return
    how many were queued."""
    after: tuple[Any, Any] | None = None
    queued = 0
    while True:
        page = query
        if after is not None:
            page = page.where(or_(order > after[0], and_(order == after[0], key > after[1])))
        with rt.db.session() as session:
            rows = session.execute(page.order_by(order, key).limit(BATCH)).all()
        count, redis_failed = requeue(rows)
        queued += count
        if redis_failed or not count or len(rows) < BATCH or time.monotonic() >= deadline:
            return queued
        after = (rows[-1][2], rows[-1][0])


def _requeue_comments(rt: Runtime, connection: Redis, rows: Sequence[Any]) -> tuple[int, bool]:
    """Re-queue the lost ones among ``rows``; return how many, and whether Redis refused an
    enqueue (the sweep stops then).

    Each lost comment is enqueued first; then those queued are marked so in two UPDATEs
    (those whose job had started count an attempt): one transaction per comment made the
    sweep cost ~5 ms a comment on SQLite, and marking the page before enqueueing charged
    every comment of it an attempt when Redis refused writes, until all were held
    unscored without one re-run (found in review).
    """
    cfg = rt.app.config
    waiting: set[str] | None = None  # read once per page: a snapshot goes stale
    queued: dict[bool, list[str]] = {False: [], True: []}
    refused = False
    for comment_id, attempts, _ in rows:
        job_id = classify_job_id(comment_id)
        status = job_status(connection, job_id, CLASSIFY_RUNS_FOR)
        if status in WAITING:
            if status != JobStatus.QUEUED:
                continue  # scheduled, deferred, or running now
            if waiting is None:  # one read of the queue, only when there is something to check
                queue = Queue(cfg["QUEUE_NAME"], connection=connection)
                waiting = set(queue.get_job_ids())
            if job_id in waiting:
                continue
            status = JobStatus.STARTED  # "queued" but in no queue: a dead worker took it
        lost_mid_job = status in ABANDONED
        if lost_mid_job and attempts + 1 >= cfg["CLASSIFY_MAX_ATTEMPTS"]:
            hold_for_classifier_error(comment_id, f"no decision after {attempts + 1} attempts")
            continue
        if not rt.queue.enqueue_classify(comment_id):
            refused = True
            break
        queued[lost_mid_job].append(comment_id)
    with rt.db.session() as session:
        for mid_job, ids in queued.items():
            if ids:
                session.execute(
                    update(Comment)
                    .where(Comment.id.in_(ids), Comment.state == State.PENDING.value)
                    .values(attempts=Comment.attempts + int(mid_job), enqueued_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
    return len(queued[False]) + len(queued[True]), refused


def sweep_deliveries(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending webhook deliveries that are overdue and have no job, batch after
    batch like ``sweep_pending``; return how many.

    Paused deliveries of an endpoint that is enabled (one recorded while an admin enabled
    it, after ``enable`` had resumed the others; found in review) become pending first."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    deadline = _budget(rt, budget)
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
    with rt.db.session() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.status == "paused", WebhookDelivery.endpoint_id.in_(enabled))
            .values(status="pending", next_attempt_at=cutoff)
            .execution_options(synchronize_session=False)
        )
    query = select(
        WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at
    ).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at < cutoff)
    queued = _pages(
        rt,
        query,
        WebhookDelivery.next_attempt_at,
        WebhookDelivery.id,
        deadline,
        lambda rows: _requeue_outbound(
            rt, connection, rows, delivery_job_id, rt.queue.enqueue_delivery_at
        ),
    )
    if queued:
        log.info("sweep: re-queued %d webhook deliver(y/ies)", queued)
    return queued


def sweep_mail(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending mails that are overdue and have no job (Redis lost it, or was down
    when the mail was written), like ``sweep_deliveries``; return how many."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    query = select(MailMessage.id, MailMessage.attempts, MailMessage.next_attempt_at).where(
        MailMessage.status == "pending", MailMessage.next_attempt_at < cutoff
    )
    queued = _pages(
        rt,
        query,
        MailMessage.next_attempt_at,
        MailMessage.id,
        _budget(rt, budget),
        lambda rows: _requeue_outbound(rt, connection, rows, mail_job_id, rt.queue.enqueue_mail_at),
    )
    if queued:
        log.info("sweep: re-queued %d mail(s)", queued)
    return queued


def _requeue_outbound(
    rt: Runtime,
    connection: Redis,
    rows: Sequence[Any],
    job_id_of: Callable[[str, int], str],
    enqueue_at: Callable[[str, int, Any], bool],
) -> tuple[int, bool]:
    """Re-queue the deliveries (or mails) among ``rows`` that have no job; see
    ``_requeue_comments``."""
    waiting: set[str] | None = None
    queued = 0
    for delivery_id, attempts, _ in rows:
        job_id = job_id_of(delivery_id, attempts)
        status = job_status(connection, job_id)
        if status in (JobStatus.SCHEDULED, JobStatus.DEFERRED, RUNNING):
            continue
        if status == JobStatus.QUEUED:
            if waiting is None:
                queue = Queue(
                    webhooks_queue_name(rt.app.config["QUEUE_NAME"]), connection=connection
                )
                waiting = set(queue.get_job_ids())
            if job_id in waiting:
                continue
        if not enqueue_at(delivery_id, attempts, utcnow()):
            return queued, True
        queued += 1
    return queued, False


def purge_checks(db: Database) -> int:
    """Delete the Akismet-compatible check records whose time is up, and idempotency keys
    past their day; return how many check records."""
    with db.session() as session:
        result = session.execute(
            delete(Check).where(Check.expires_at.is_not(None), Check.expires_at < utcnow())
        )
        idempotency.purge(session)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sweep_once(rt: Runtime, connection: Redis, owner: str) -> int:
    """Sweep if no other worker holds the lock for this interval; return comments re-queued."""
    interval = float(rt.app.config["SWEEP_INTERVAL"])
    if not connection.set(LOCK_KEY, owner, nx=True, px=max(int(interval * 1000) - 100, 100)):
        return 0
    # One budget for both phases, well inside the lock: each phase had half the interval,
    # and a sweep outlived its lock while another worker's began (found in review).
    share = BUDGET_SHARE * interval
    started = time.monotonic()
    queued = sweep_pending(rt, connection, budget=share)
    sweep_deliveries(rt, connection, budget=max(share - (time.monotonic() - started), 0.0))
    sweep_mail(rt, connection, budget=max(share - (time.monotonic() - started), 0.0))
    purge_checks(rt.db)
    return queued


class Sweeper(threading.Thread):
    """A daemon thread: due retries every second, the sweep every ``SWEEP_INTERVAL`` seconds."""

    def __init__(self, rt: Runtime, connection: Redis, owner: str) -> None:
        super().__init__(name="moderato-sweep", daemon=True)
        self.rt = rt
        self.connection = connection
        self.owner = owner
        self.stopped = threading.Event()
        self.scheduler = RQScheduler(
            queue_names(rt.app.config["QUEUE_NAME"]), connection=connection
        )

    def run(self) -> None:
        interval = float(self.rt.app.config["SWEEP_INTERVAL"])
        tick = min(1.0, interval)
        next_sweep = 0.0
        elapsed = 0.0
        redis_down = False
        while not self.stopped.wait(tick):
            elapsed += tick
            try:
                if self.scheduler.acquire_locks():
                    self.scheduler.enqueue_scheduled_jobs()
                if elapsed >= next_sweep:
                    next_sweep = elapsed + interval
                    sweep_once(self.rt, self.connection, self.owner)
                if redis_down:
                    log.info("sweep: Redis is back")
                    redis_down = False
            except redis.RedisError as exc:
                # Once per outage, not once a second (3,600 lines an hour; found in review).
                if not redis_down:
                    log.warning("sweep skipped while Redis is unavailable: %s", exc)
                redis_down = True
            except Exception:
                log.exception("sweep failed; trying again next interval")

    def stop(self) -> None:
        """Ask the thread to finish after its current sweep."""
        self.stopped.set()
