"""The dotted names jobs are stored under in Redis keep naming their functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis as redis_lib
from rq import Queue
from rq.job import Job

from service import enqueue
from worker.callbacks import classification_failed
from worker.jobs import classify_comment
from worker.mail import send
from worker.webhooks.delivery import deliver

#: Every name moderato has enqueued jobs (and a failure callback) under: jobs already in
#: Redis name their function so, whatever module it lives in now.
STORED: dict[str, Callable[..., Any]] = {
    "worker.jobs.classify_comment": classify_comment,
    "worker.callbacks.classification_failed": classification_failed,
    "worker.webhooks.deliver": deliver,
    "worker.mail.send": send,
}


def test_a_job_queued_under_an_earlier_name_runs_the_function_that_does_that_job_now(
    redis_url: str,
) -> None:
    """A job queued under each stored name, read back from a real Redis as a worker reads
    it, resolves to the function that does that job: ``worker.webhooks.deliver`` is the
    delivery job since worker/webhooks.py became a package. The names enqueued today are
    the same ones."""
    conn = redis_lib.from_url(redis_url)
    queue = Queue("job-names", connection=conn)
    for name, function in STORED.items():
        job = queue.enqueue(name, "an-id")
        assert Job.fetch(job.id, connection=conn).func is function, name
    today = {enqueue.CLASSIFY, enqueue.CLASSIFY_FAILED, enqueue.DELIVER, enqueue.SEND_MAIL}
    assert today == set(STORED)
