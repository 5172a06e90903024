"""What an operator asks of a running service, gathered cheaply: comments by state and the
oldest pending one, webhook deliveries and mails by status (two queries), and the RQ queues,
failed jobs and live workers (two Redis round trips). ``/metrics`` and ``moderato status``
show the same facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import redis
from redis import Redis
from rq import Queue
from rq.worker_registration import REDIS_WORKER_KEYS
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from service.clock import utcnow
from service.enqueue import queue_names
from service.status import State
from service.store import Database
from service.store.tables import Comment, WebhookDelivery
from service.store.tables_notify import MailMessage

#: Statuses always reported, so a gauge reads 0 rather than disappearing.
DELIVERY_STATUSES = ("pending", "delivered", "failed")
MAIL_STATUSES = ("pending", "sent", "failed")


@dataclass
class Facts:
    """A snapshot; a part that could not be read is ``None`` (and its ``*_up`` False)."""

    database_up: bool = False
    redis_up: bool = False
    comments: dict[str, int] = field(default_factory=dict)
    oldest_pending_age: float | None = None  # seconds; 0 when nothing is pending
    webhook_deliveries: dict[str, int] = field(default_factory=dict)
    mails: dict[str, int] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)
    failed_jobs: dict[str, int] = field(default_factory=dict)
    workers: int | None = None


def gather(database: Database, connection: Redis, queue_name: str) -> Facts:
    """Return the facts, reading each part that answers."""
    facts = Facts()
    try:
        _from_database(database, facts)
        facts.database_up = True
    except SQLAlchemyError:
        pass
    try:
        _from_redis(connection, queue_names(queue_name), facts)
        facts.redis_up = True
    except redis.RedisError:
        pass
    return facts


def _from_database(database: Database, facts: Facts) -> None:
    comments = select(Comment.state, func.count(), func.min(Comment.created_at)).group_by(
        Comment.state
    )
    outbound = union_all(
        select(literal("webhook"), WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.status
        ),
        select(literal("mail"), MailMessage.status, func.count()).group_by(MailMessage.status),
    )
    with database.session() as session:
        by_state = session.execute(comments).all()
        counts = session.execute(outbound).all()
    facts.comments = {state.value: 0 for state in State}
    oldest: datetime | None = None
    for state, count, first in by_state:
        facts.comments[state] = count
        if state == State.PENDING:
            oldest = first
    facts.oldest_pending_age = (
        max((utcnow() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    )
    facts.webhook_deliveries = dict.fromkeys(DELIVERY_STATUSES, 0)
    facts.mails = dict.fromkeys(MAIL_STATUSES, 0)
    for kind, status, count in counts:
        (facts.webhook_deliveries if kind == "webhook" else facts.mails)[status] = count


def _from_redis(connection: Redis, names: list[str], facts: Facts) -> None:
    queues = [Queue(name, connection=connection) for name in names]
    with connection.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue.key)
            pipe.zcard(queue.failed_job_registry.key)
        pipe.smembers(REDIS_WORKER_KEYS)
        *sizes, members = pipe.execute()
    for i, queue in enumerate(queues):
        facts.queued[queue.name] = int(sizes[2 * i])
        facts.failed_jobs[queue.name] = int(sizes[2 * i + 1])
    # A registration is live while its key exists (RQ lets it expire worker_ttl + 60 s after
    # the last heartbeat) and carries no death date; the set keeps dead ones until cleaned.
    keys = sorted(members)
    with connection.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hmget(key, ["last_heartbeat", "death"])
        rows = pipe.execute()
    facts.workers = sum(1 for beat, death in rows if beat is not None and death is None)
