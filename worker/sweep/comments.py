"""Re-queue the classifications Redis lost: pending comments with no job waiting, each
under the id of the request that wrote its text (``service.request_ids``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select, update

from service import request_ids
from service.clock import utcnow
from service.enqueue import classify_job_id
from service.status import State
from service.store.tables import AuditEntry, Comment
from worker.callbacks import hold_for_classifier_error
from worker.runtime import Runtime
from worker.sweep.job_status import ABANDONED, WAITING, job_status
from worker.sweep.paging import deadline_for, pages

log = logging.getLogger(__name__)

#: A classification takes milliseconds: one started longer ago than this lost its worker.
CLASSIFY_RUNS_FOR = 15.0


def sweep_pending(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending comments whose job was lost, oldest first, batch after batch until
    none is left or ``budget`` seconds (default: half the interval) are spent; return how
    many were queued."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    query = select(Comment.id, Comment.attempts, Comment.created_at, Comment.revision).where(
        Comment.state == State.PENDING.value, Comment.enqueued_at < cutoff
    )
    queued = pages(
        rt,
        query,
        Comment.created_at,
        Comment.id,
        deadline_for(rt, budget),
        lambda rows: _requeue_comments(rt, connection, rows),
    )
    if queued:
        log.info("sweep: re-queued %d pending comment(s)", queued)
    return queued


def _requeue_comments(rt: Runtime, connection: Redis, rows: Sequence[Any]) -> tuple[int, bool]:
    """Re-queue the lost ones among ``rows``; return how many, and whether Redis refused an
    enqueue (the sweep stops then).

    Each lost comment is enqueued first, under the id of the request that wrote its text
    (``_request_ids``), and logged with it; then those queued are marked so in two UPDATEs
    (those whose job had started count an attempt): one transaction per comment made the
    sweep cost ~5 ms a comment on SQLite, and marking the page before enqueueing charged
    every comment of it an attempt when Redis refused writes, until all were held
    unscored without one re-run (found in review).
    """
    cfg = rt.app.config
    waiting: set[str] | None = None  # read once per page: a snapshot goes stale
    lost: list[tuple[str, int, bool]] = []
    for comment_id, attempts, _, revision in rows:
        job_id = classify_job_id(comment_id, revision)  # an edited text's job is its own
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
            why = f"no decision after {attempts + 1} attempts"
            hold_for_classifier_error(comment_id, why, revision, "AbandonedJob")
            continue
        lost.append((comment_id, revision, lost_mid_job))
    rids = _request_ids(rt, [comment_id for comment_id, _, _ in lost])
    queued: dict[bool, list[str]] = {False: [], True: []}
    refused = False
    for comment_id, revision, lost_mid_job in lost:
        with request_ids.bound(rids.get(comment_id) or request_ids.new("sweep")):
            if not rt.queue.enqueue_classify(comment_id, revision):
                refused = True
                break
            # The line that links the comment to the id its new job carries (request_id=…).
            how = "its job ended undecided" if lost_mid_job else "no job of it was waiting"
            log.info("sweep: comment %s queued again (%s)", comment_id, how)
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


#: The audit entries that record the request which wrote a comment's text.
_WRITTEN_BY = ("received", "edited")


def _request_ids(rt: Runtime, comment_ids: Sequence[str]) -> dict[str, str]:
    """Return the id of the request that wrote each comment's text (its submission, or its
    author's last edit), as their audit entries recorded it; a comment without one (stored
    before ids were kept) is left out."""
    if not comment_ids:
        return {}
    query = (
        select(AuditEntry.comment_id, AuditEntry.details)
        .where(AuditEntry.comment_id.in_(comment_ids), AuditEntry.action.in_(_WRITTEN_BY))
        .order_by(AuditEntry.id)
    )
    found: dict[str, str] = {}
    with rt.db.session() as session:
        for comment_id, details in session.execute(query):
            rid = request_ids.sanitise((details or {}).get(request_ids.META_KEY))
            if comment_id is not None and rid is not None:
                found[comment_id] = rid  # the newest wins: the last edit's, else the submission's
    return found
