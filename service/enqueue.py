"""The queue boundary: enqueue jobs by dotted name, so the web process never imports the worker.

Failure mode: when Redis is down, ``enqueue_*`` logs and returns False; the
comment is already committed as ``pending`` and the worker's sweep queues it
once Redis is back. Nothing accepted is lost.

Each job carries the id of the request (or job) that queued it in its ``meta``
(``service.request_ids``), so the worker's log lines about it carry that id too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

import redis
from redis import Redis
from rq import Callback, Queue, Retry

from service import request_ids

log = logging.getLogger(__name__)

CLASSIFY = "worker.jobs.classify_comment"
CLASSIFY_FAILED = "worker.callbacks.classification_failed"
DELIVER = "worker.webhooks.deliver"
SEND_MAIL = "worker.mail.send"


class JobQueue(Protocol):
    """Where accepted work goes; a real RQ queue in every running process."""

    def enqueue_classify(self, comment_id: str, revision: int = 0) -> bool: ...

    def enqueue_deliveries(self, delivery_ids: Iterable[str]) -> bool: ...

    def enqueue_mails(self, message_ids: Iterable[str]) -> bool: ...


def connect(url: str, socket_timeout: float = 2.0) -> Redis:
    """Open a Redis connection that fails fast when the server is away."""
    return redis.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=min(socket_timeout, 1.0),
        health_check_interval=30,
    )


def webhooks_queue_name(name: str) -> str:
    """Return the name of the deliveries' queue beside the classifications' ``name``."""
    return f"{name}-webhooks"


def queue_names(name: str) -> list[str]:
    """Return the queues a worker serves, first served first: classifications, then
    webhook deliveries (a comment never waits behind a line of slow receivers)."""
    return [name, webhooks_queue_name(name)]


class RQJobQueue:
    """Enqueue moderato's jobs: classifications on ``name``, webhook deliveries and mails
    on ``name-webhooks``. A worker listens to both in that order, and RQ takes from the
    first queue that has a job, so a comment never waits behind a line of slow deliveries."""

    def __init__(
        self,
        connection: Redis,
        name: str = "moderato",
        retry_intervals: Sequence[int] = (2, 10, 30),
        job_timeout: int = 30,
    ) -> None:
        self.connection = connection
        self.queue = Queue(name, connection=connection)
        self.deliveries = Queue(webhooks_queue_name(name), connection=connection)
        self.retry_intervals = list(retry_intervals)
        self.job_timeout = job_timeout

    def enqueue_classify(self, comment_id: str, revision: int = 0) -> bool:
        """Queue the classification of one stored comment's text ``revision`` (an author's
        edit makes a new one, with a job of its own); False if Redis is away."""
        args = (comment_id,) if revision == 0 else (comment_id, revision)
        try:
            self.queue.enqueue(
                CLASSIFY,
                *args,
                job_id=classify_job_id(comment_id, revision),
                job_timeout=self.job_timeout,
                retry=Retry(max=len(self.retry_intervals), interval=self.retry_intervals),
                on_failure=Callback(CLASSIFY_FAILED),
                result_ttl=600,
                failure_ttl=7 * 24 * 3600,
                meta=request_ids.job_meta(),
            )
        except redis.RedisError as exc:
            log.warning("could not enqueue comment %s (the sweep will): %s", comment_id, exc)
            return False
        return True

    def enqueue_deliveries(self, delivery_ids: Iterable[str]) -> bool:
        """Queue webhook deliveries from the outbox; False if Redis is away."""
        return self._outbox(DELIVER, list(delivery_ids), delivery_job_id, "deliveries")

    def enqueue_delivery_at(self, delivery_id: str, attempt: int, when: datetime) -> bool:
        """Schedule a delivery's next attempt; False if Redis is away (the sweep will)."""
        job_id = delivery_job_id(delivery_id, attempt)
        return self._schedule(DELIVER, delivery_id, job_id, when, "delivery")

    def enqueue_mails(self, message_ids: Iterable[str]) -> bool:
        """Queue mails from the mail outbox; False if Redis is away (the sweep will)."""
        return self._outbox(SEND_MAIL, list(message_ids), mail_job_id, "mail(s)")

    def enqueue_mail_at(self, message_id: str, attempt: int, when: datetime) -> bool:
        """Schedule a mail's next attempt; False if Redis is away (the sweep will)."""
        return self._schedule(SEND_MAIL, message_id, mail_job_id(message_id, attempt), when, "mail")

    def _outbox(self, job: str, ids: list[str], job_id: Callable[[str], str], what: str) -> bool:
        """Queue outbox rows (deliveries, mails) on the second queue; False if Redis is away."""
        meta = request_ids.job_meta()
        try:
            for row_id in ids:
                self.deliveries.enqueue(
                    job, row_id, job_id=job_id(row_id), job_timeout=60, meta=meta
                )
        except redis.RedisError as exc:
            log.warning("could not enqueue %d %s (the sweep will): %s", len(ids), what, exc)
            return False
        return True

    def _schedule(self, job: str, row_id: str, job_id: str, when: datetime, what: str) -> bool:
        """Schedule an outbox row's next attempt; False if Redis is away.

        RQ keeps whole seconds and drops the fraction, which would run the attempt up to a
        second before its ``next_attempt_at`` (and before a receiver's Retry-After); the
        time is rounded up instead.
        """
        try:
            self.deliveries.enqueue_at(
                _whole_second(when), job, row_id, job_id=job_id, job_timeout=60,
                meta=request_ids.job_meta(),
            )  # fmt: skip
        except redis.RedisError as exc:
            log.warning("could not schedule %s %s (the sweep will): %s", what, row_id, exc)
            return False
        return True


def enqueue_outboxes(queue: JobQueue, deliveries: Sequence[str], mails: Sequence[str]) -> None:
    """Queue what a committed change wrote to the outboxes (its webhook deliveries and
    mails), after the commit; with Redis away the sweep sends them."""
    if deliveries:
        queue.enqueue_deliveries(deliveries)
    if mails:
        queue.enqueue_mails(mails)


def _whole_second(when: datetime) -> datetime:
    """Round up to a whole second: RQ drops the fraction, which would run an attempt up to
    a second before it is due (and before a receiver's Retry-After)."""
    whole = when.replace(microsecond=0)
    return whole + timedelta(seconds=1) if whole < when else whole


def mail_job_id(message_id: str, attempt: int = 0) -> str:
    """Return the RQ job id of a mail's attempt after ``attempt`` earlier ones."""
    return f"send-{message_id}" if attempt == 0 else f"send-{message_id}-{attempt}"


def delivery_job_id(delivery_id: str, attempt: int = 0) -> str:
    """Return the RQ job id of a delivery's attempt after ``attempt`` earlier ones."""
    return f"deliver-{delivery_id}" if attempt == 0 else f"deliver-{delivery_id}-{attempt}"


def classify_job_id(comment_id: str, revision: int = 0) -> str:
    """Return the RQ job id of the classification of a comment's text ``revision`` (0: the
    text as posted). An edit's job never shares an id with the job of the text before,
    which may still be running: RQ would overwrite that job's record under it."""
    return f"classify-{comment_id}" if revision == 0 else f"classify-{comment_id}-r{revision}"
