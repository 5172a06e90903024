"""A delivery whose job crashes every time is failed after ``OUTBOX_MAX_CRASHES`` re-queues,
with a real worker process, the session's Redis and a real receiver on 127.0.0.1.

The crash: an endpoint whose stored secret is not a ``whsec_`` base64 key (a row restored
from a damaged backup, or edited by hand) makes the job raise ``binascii.Error`` while it
signs, before it records anything. That is the shape of the crash a non-ASCII
``Retry-After`` caused (fixed since): the job died before its attempt was recorded, and the
sweep sent the delivery again every couple of minutes for ever. No natural crash after the
POST remains to provoke from a receiver's answer; this one needs no hook in the code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from flask import Flask
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import update

from service.clock import utcnow
from service.enqueue import delivery_job_id, webhooks_queue_name
from service.extensions import queue
from service.integrations.webhooks import redeliver
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from tests.factories import stored
from tests.helpers import wait_for
from tests.integrations.receiver import Receiver
from tests.integrations.test_webhooks_e2e import WORKER, deliveries, endpoint, subscribe

pytestmark = pytest.mark.slow

CAP = 2


def job_status(redis_url: str, job_id: str) -> JobStatus | None:
    with redis_lib.from_url(redis_url) as conn:
        try:
            return Job.fetch(job_id, connection=conn).get_status()
        except Exception:
            return None


def settled(app: Flask, redis_url: str, job_id: str) -> bool:
    """Tell whether the job has run and no run of it waits, scheduled or queued."""
    with redis_lib.from_url(redis_url) as conn:
        name = webhooks_queue_name(app.config["QUEUE_NAME"])
        waiting = Queue(name, connection=conn)
        if job_id in waiting.get_job_ids():
            return False
        if job_id in ScheduledJobRegistry(queue=waiting).get_job_ids():
            return False
    return job_status(redis_url, job_id) in (JobStatus.FAILED, JobStatus.FINISHED)


def lease_runs_out(db: Database, delivery_id: str) -> None:
    """Move the delivery's lease (90 s from its claim) into the past, as time would."""
    with db.session() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=5))
        )


def row(db: Database, delivery_id: str) -> WebhookDelivery:
    with db.session() as session:
        found = session.get(WebhookDelivery, delivery_id)
        assert found is not None
        return found


def test_a_delivery_whose_job_always_crashes_fails_after_the_cap_and_is_not_sent_again(
    app: Flask,
    db: Database,
    redis_url: str,
    receiver: Receiver,
    start_worker: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """Each crash of the job is counted when the sweep queues it again; the crash that
    reaches the cap marks the delivery failed with "the delivery job crashed N times:
    binascii.Error" (attempts stay 0: none was recorded), later sweeps leave it alone, and
    the endpoint stays enabled. A delivery to a sound endpoint beside it is unaffected.
    After the fix, a redelivery by hand sends it, with the whole allowance again."""
    good_id, _ = subscribe(db, receiver.url + "?good", ["comment.received"])
    bad_id, secret = subscribe(db, receiver.url + "?bad", ["comment.received"])
    with db.session() as session:
        session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == bad_id).values(secret="whsec_A")
        )
    start_worker(extra={**WORKER, "OUTBOX_MAX_CRASHES": CAP})
    log_of = tmp_path / "worker-0.log"
    stored(db)
    [bad] = [d for d in deliveries(db) if d.endpoint_id == bad_id]
    job_id = delivery_job_id(bad.id)

    crashed = f"job {job_id}: exception raised while executing"
    seen, counted_one = 0, False
    deadline = time.monotonic() + 60
    while row(db, bad.id).status == "pending":  # each crash: its lease runs out, a sweep
        assert time.monotonic() < deadline, "the delivery never failed"
        now = log_of.read_text().count(crashed)
        if now > seen:
            seen = now
            lease_runs_out(db, bad.id)
        shown = row(db, bad.id)
        if shown.crashes == 1 and shown.status == "pending":
            assert shown.last_error == "the delivery job crashed 1 time: binascii.Error"
            counted_one = True
        time.sleep(0.05)
    assert counted_one and seen >= CAP
    wait_for(lambda: row(db, bad.id).status == "failed", timeout=15)
    failed = row(db, bad.id)
    assert failed.last_error == f"the delivery job crashed {CAP} times: binascii.Error"
    assert (failed.crashes, failed.attempts, failed.next_attempt_at) == (CAP, 0, None)
    assert endpoint(db, bad_id).enabled

    # Several sweeps (every 0.5 s) later it has not run again. (A job already queued may
    # still run once: its claim finds the delivery failed and it sends nothing.)
    ran = f"moderato-webhooks: worker.webhooks.deliver('{bad.id}')"
    done = (JobStatus.FAILED, JobStatus.FINISHED)
    wait_for(lambda: settled(app, redis_url, job_id), timeout=10)
    runs = log_of.read_text().count(ran)
    time.sleep(3)
    assert log_of.read_text().count(ran) == runs
    assert job_status(redis_url, job_id) in done
    assert row(db, bad.id).status == "failed" and row(db, bad.id).crashes == CAP
    assert not [r for r in receiver.received if r.headers.get("Webhook-Id") == bad.id]

    [good] = [d for d in deliveries(db) if d.endpoint_id == good_id]
    assert (good.status, good.attempts, good.crashes) == ("delivered", 1, 0)
    assert [r.headers["Webhook-Id"] for r in receiver.received] == [good.id]

    with db.session() as session:  # the fix, then a redelivery by hand
        session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == bad_id).values(secret=secret)
        )
        redeliver(session, bad.id)
    with app.app_context():  # as `moderato webhooks redeliver` and the page do
        queue().enqueue_deliveries([bad.id])
    wait_for(lambda: row(db, bad.id).status == "delivered", timeout=30)
    assert (row(db, bad.id).crashes, row(db, bad.id).attempts) == (0, 1)
