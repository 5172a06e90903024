"""The sweep counts the crashes of a mail's (or a delivery's) job against a real Redis, and
fails the row at ``OUTBOX_MAX_CRASHES``; the jobs' states are set by hand, as in
``test_sweep.py``. The end-to-end case, with a worker process and a receiver, is
``tests/integrations/test_delivery_crashes.py``."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job, JobStatus
from rq.results import Result
from sqlalchemy import update

from service.clock import utcnow
from service.enqueue import SEND_MAIL, mail_job_id
from service.extensions import queue
from service.notify.retry import retry
from service.store import Database
from service.store.tables_notify import MailMessage
from tests.factories import post
from tests.mail_server import MailServer, mail_settings
from tests.notify_helpers import outbox_rows, publish, subscription
from worker.sweep.crashes import crash_kind
from worker.sweep.outbound import sweep_mail


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """Mail on, and a cap of two crashes."""
    return {**mail_settings(settings, mail_server), "OUTBOX_MAX_CRASHES": 2}


def _crashed_job(app: Flask, message_id: str, exc_string: str | None) -> None:
    """Leave the mail's job as a crash leaves it: failed with ``exc_string``, or (None)
    started long ago by a worker that is gone; its lease has run out."""
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    job = Job.create(SEND_MAIL, args=(message_id,), id=mail_job_id(message_id),
                     connection=conn, timeout=60)  # fmt: skip
    job.started_at = utcnow() - timedelta(minutes=5)
    job.save()
    if exc_string is None:
        job.set_status(JobStatus.STARTED)
    else:
        job.set_status(JobStatus.FAILED)
        Result.create_failure(job, ttl=600, exc_string=exc_string)
    db: Database = app.extensions["moderato.db"]
    with db.session() as session:
        session.execute(
            update(MailMessage)
            .where(MailMessage.id == message_id)
            .values(next_attempt_at=utcnow() - timedelta(minutes=1))
        )


def _sweep(app: Flask, db: Database) -> int:
    with app.app_context():
        rt = SimpleNamespace(app=app, db=db, queue=queue())
        return sweep_mail(rt, redis_lib.from_url(app.config["REDIS_URL"]))  # type: ignore[arg-type]


TRACEBACK = (
    'Traceback (most recent call last):\n  File "worker/mail.py", line 1, in send\n'
    "binascii.Error: Incorrect padding\n"
)


def test_a_mail_whose_job_keeps_crashing_is_failed_at_the_cap(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The first crash is counted and the mail queued again; the second (the cap) fails it
    with "the mail job crashed 2 times: <type>" and frees the confirmation's request; a
    later sweep leaves it alone; a Retry from the Mail page starts the count again."""
    [mail_id] = publish(db, post(client, notify_replies=True).get_json()["id"])
    [mail] = outbox_rows(db)
    assert mail.id == mail_id
    _crashed_job(app, mail.id, TRACEBACK)
    assert _sweep(app, db) == 1
    [row] = outbox_rows(db)
    assert (row.status, row.crashes, row.attempts) == ("pending", 1, 0)
    assert row.last_error == "the mail job crashed 1 time: binascii.Error"

    _crashed_job(app, mail.id, None)  # the next run's worker was killed mid-send
    assert _sweep(app, db) == 0
    [row] = outbox_rows(db)
    assert (row.status, row.crashes, row.next_attempt_at) == ("failed", 2, None)
    assert row.last_error == "the mail job crashed 2 times: AbandonedJob"
    sub = subscription(db)
    assert sub is not None and sub.request_message_id is None

    assert _sweep(app, db) == 0 and outbox_rows(db)[0].status == "failed"
    with db.session() as session:
        assert retry(session, mail.id)
    assert (outbox_rows(db)[0].status, outbox_rows(db)[0].crashes) == ("pending", 0)


def test_a_mail_whose_job_was_never_queued_counts_no_crash(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A pending mail with no job at all (Redis lost it) is queued again without a crash."""
    publish(db, post(client, notify_replies=True).get_json()["id"])  # committed, not queued
    with db.session() as session:
        session.execute(update(MailMessage).values(next_attempt_at=utcnow() - timedelta(minutes=1)))
    assert _sweep(app, db) == 1
    assert outbox_rows(db)[0].crashes == 0


def test_the_crash_kind_is_the_exception_the_traceback_ends_with(app: Flask) -> None:
    """The type comes from RQ's record of the failure; a dead work horse (RQ's own sentence),
    a job left started (its earlier failure is not this run's) or no record is AbandonedJob."""
    conn = redis_lib.from_url(app.config["REDIS_URL"])
    for exc_string, kind in [
        (TRACEBACK, "binascii.Error"),
        ("Traceback …\nValueError\n", "ValueError"),
        ("Work-horse terminated unexpectedly; waitpid returned 9 (signal 9); ", "AbandonedJob"),
    ]:
        job = Job.create(SEND_MAIL, args=("m",), id="send-kind", connection=conn)
        job.save()
        Result.create_failure(job, ttl=60, exc_string=exc_string)
        assert crash_kind(conn, "send-kind", JobStatus.FAILED) == kind
    assert crash_kind(conn, "send-kind", JobStatus.STARTED) == "AbandonedJob"
    assert crash_kind(conn, "send-no-such-job", JobStatus.FAILED) == "AbandonedJob"
