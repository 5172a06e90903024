"""Count the crashes of an outbox row's job (a webhook delivery, a mail), and give up on it
at ``OUTBOX_MAX_CRASHES``.

A job that raises before it records its attempt (a bug in reading a receiver's answer, a
row it cannot read) or whose worker dies mid-run leaves its row pending; the sweep queues
it again once its lease has run out. Without a count, a job that crashes every time was
queued again every couple of minutes for ever: the receiver got the same ``webhook-id``
again and again, ``attempts`` stayed 0, and the delivery never failed. So each re-queue
of a job RQ reports failed, or started and gone, is a crash counted on the row
(``crashes``, beside ``attempts``, which counts recorded attempts); the one that reaches
the cap marks the row ``failed`` instead, with ``the delivery job crashed N times:
<exception type>`` as its last error, where the dashboard and the CLI show it and an
admin can send it again after a fix (``redeliver``, the Mail page's Retry: both start
the count again). This mirrors ``comments.attempts`` and ``CLASSIFY_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import update
from sqlalchemy.orm import Session

from service.plural import counted
from service.store import Database
from service.store.tables import WebhookDelivery
from service.store.tables_notify import MailMessage, MailSubscription

log = logging.getLogger(__name__)

#: What a crash is called when RQ kept no exception: the worker died running the job
#: (``SIGKILL``, out of memory), as a classification's ``AbandonedJob``.
ABANDONED_JOB = "AbandonedJob"
#: The last line of a Python traceback: ``binascii.Error: Incorrect padding``.
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


@dataclass(frozen=True, slots=True)
class Outbox:
    """One outbox the sweep looks after: its table, what its rows are called, how a job of
    one is named and queued, and what else giving up on a row undoes."""

    model: Any
    noun: str  # "delivery", "mail": "the delivery job crashed 5 times: …"
    job_id_of: Callable[[str, int], str]
    enqueue_at: Callable[[str, int, datetime], bool]
    on_give_up: Callable[[Session, str], None] | None = None


def crash_kind(connection: Redis, job_id: str, status: JobStatus | str | None) -> str:
    """Return the class name of the exception the job ``job_id`` died of, as its traceback
    names it (``ValueError``, ``binascii.Error``), or ``AbandonedJob`` when it did not raise
    (its worker was killed: a run's earlier failure may still be on record, and is not
    this one) or RQ kept nothing."""
    if status != JobStatus.FAILED:
        return ABANDONED_JOB
    try:
        result = Job.fetch(job_id, connection=connection).latest_result()
    except NoSuchJobError:
        return ABANDONED_JOB
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    match = _EXCEPTION_LINE.match(lines[-1]) if lines else None
    return match.group(1) if match else ABANDONED_JOB


def crashed(status: JobStatus | str | None) -> bool:
    """Tell whether a job the sweep found had crashed: it raised (failed), or it started
    and its worker is gone, or it was stopped or cancelled mid-run."""
    return status in (JobStatus.FAILED, JobStatus.STARTED, JobStatus.STOPPED, JobStatus.CANCELED)


def message(outbox: Outbox, crashes: int, kind: str) -> str:
    """Return a crashed row's last error: ``the delivery job crashed 2 times: ValueError``."""
    return f"the {outbox.noun} job crashed {counted(crashes, 'time')}: {kind}"


def count_crash(db: Database, outbox: Outbox, row_id: str, crashes: int, kind: str) -> None:
    """Record one more crash of a still-pending row that was queued again."""
    with db.session() as session:
        session.execute(
            update(outbox.model)
            .where(outbox.model.id == row_id, outbox.model.status == "pending")
            .values(crashes=crashes + 1, last_error=message(outbox, crashes + 1, kind))
            .execution_options(synchronize_session=False)
        )


def give_up(db: Database, outbox: Outbox, row_id: str, crashes: int, kind: str) -> bool:
    """Mark a still-pending row ``failed`` after its job's last allowed crash; False when it
    moved meanwhile (a late attempt recorded it, an admin dropped it)."""
    why = message(outbox, crashes + 1, kind)
    with db.session() as session:
        result = session.execute(
            update(outbox.model)
            .where(
                outbox.model.id == row_id,
                outbox.model.status == "pending",
                outbox.model.crashes == crashes,
            )
            .values(status="failed", crashes=crashes + 1, next_attempt_at=None, last_error=why)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        if outbox.on_give_up is not None:
            outbox.on_give_up(session, row_id)
    log.warning("sweep: %s %s failed: %s", outbox.noun, row_id, why)
    return True


def _free_confirmation(session: Session, message_id: str) -> None:
    """A confirmation mail given up on frees its subscription's request, as ``worker.mail``
    does for one that failed: the address may ask again without waiting a week."""
    session.execute(
        update(MailSubscription)
        .where(MailSubscription.request_message_id == message_id)
        .values(requested_at=None, request_message_id=None)
        .execution_options(synchronize_session=False)
    )


def deliveries(job_id_of: Callable[[str, int], str], enqueue_at: Any) -> Outbox:
    """Return the webhook deliveries' outbox."""
    return Outbox(WebhookDelivery, "delivery", job_id_of, enqueue_at)


def mails(job_id_of: Callable[[str, int], str], enqueue_at: Any) -> Outbox:
    """Return the mail outbox."""
    return Outbox(MailMessage, "mail", job_id_of, enqueue_at, _free_confirmation)
