"""Re-queue the webhook deliveries and mails that are overdue and have no job."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select, update

from service.clock import utcnow
from service.enqueue import delivery_job_id, mail_job_id, webhooks_queue_name
from service.store.tables import WebhookDelivery, WebhookEndpoint
from service.store.tables_notify import MailMessage
from worker.runtime import Runtime
from worker.sweep import crashes
from worker.sweep.job_status import RUNNING, job_status
from worker.sweep.paging import deadline_for, pages

log = logging.getLogger(__name__)


def sweep_deliveries(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending webhook deliveries that are overdue and have no job, batch after
    batch like ``sweep_pending``; return how many.

    Paused deliveries of an endpoint that is enabled (one recorded while an admin enabled
    it, after ``enable`` had resumed the others; found in review) become pending first."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    deadline = deadline_for(rt, budget)
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
    with rt.db.session() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.status == "paused", WebhookDelivery.endpoint_id.in_(enabled))
            .values(status="pending", next_attempt_at=cutoff)
            .execution_options(synchronize_session=False)
        )
    query = select(
        WebhookDelivery.id,
        WebhookDelivery.attempts,
        WebhookDelivery.next_attempt_at,
        WebhookDelivery.crashes,
    ).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at < cutoff)
    outbox = crashes.deliveries(delivery_job_id, rt.queue.enqueue_delivery_at)
    queued = pages(
        rt,
        query,
        WebhookDelivery.next_attempt_at,
        WebhookDelivery.id,
        deadline,
        lambda rows: _requeue_outbound(rt, connection, rows, outbox),
    )
    if queued:
        log.info("sweep: re-queued %d webhook deliver(y/ies)", queued)
    return queued


def sweep_mail(rt: Runtime, connection: Redis, budget: float | None = None) -> int:
    """Re-queue pending mails that are overdue and have no job (Redis lost it, or was down
    when the mail was written), like ``sweep_deliveries``; return how many."""
    cutoff = utcnow() - timedelta(seconds=rt.app.config["SWEEP_AGE"])
    query = select(
        MailMessage.id, MailMessage.attempts, MailMessage.next_attempt_at, MailMessage.crashes
    ).where(MailMessage.status == "pending", MailMessage.next_attempt_at < cutoff)
    outbox = crashes.mails(mail_job_id, rt.queue.enqueue_mail_at)
    queued = pages(
        rt,
        query,
        MailMessage.next_attempt_at,
        MailMessage.id,
        deadline_for(rt, budget),
        lambda rows: _requeue_outbound(rt, connection, rows, outbox),
    )
    if queued:
        log.info("sweep: re-queued %d mail(s)", queued)
    return queued


def _requeue_outbound(
    rt: Runtime, connection: Redis, rows: Sequence[Any], outbox: crashes.Outbox
) -> tuple[int, bool]:
    """Re-queue the deliveries (or mails) among ``rows`` that have no job; see
    ``_requeue_comments`` in ``comments.py``. A job that crashed (it raised, or its worker
    died running it) counts a crash on its row; the ``OUTBOX_MAX_CRASHES``th fails the row
    instead of queueing it again (``crashes.py``)."""
    cap = int(rt.app.config["OUTBOX_MAX_CRASHES"])
    waiting: set[str] | None = None
    queued = 0
    for row_id, attempts, _, crash_count in rows:
        job_id = outbox.job_id_of(row_id, attempts)
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
            # "queued" but in no queue: a dead worker took it before it ran (no crash)
        kind = crashes.crash_kind(connection, job_id, status) if crashes.crashed(status) else None
        if kind is not None and crash_count + 1 >= cap:
            crashes.give_up(rt.db, outbox, row_id, crash_count, kind)
            continue
        if not outbox.enqueue_at(row_id, attempts, utcnow()):
            return queued, True
        if kind is not None:
            crashes.count_crash(rt.db, outbox, row_id, crash_count, kind)
        queued += 1
    return queued, False
