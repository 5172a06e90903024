"""A worker through a Redis outage logs it once, once more when Redis is back, and at
most one reminder a minute in between (RQ alone logged an ERROR every second or two)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from service import create_app
from service.embedded_redis import EmbeddedRedis
from service.store import Database
from service.store.tables import Comment
from tests.factories import post
from tests.helpers import wait_for
from worker.outage import Outage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_said_once_then_reminded_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failures every second for three minutes: one line, two reminders, one line when back;
    a second outage is said again."""
    clock = Clock()
    outage = Outage("Redis", remind_every=60, clock=clock)
    caplog.set_level(logging.INFO, logger="worker")
    for _ in range(150):
        outage.down(ConnectionError("Connection refused"))
        clock.now += 1
    outage.up()
    outage.up()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("Redis is unavailable (Connection refused)")
    assert messages[1:3] == [
        "Redis still unavailable after 60 s (Connection refused)",
        "Redis still unavailable after 120 s (Connection refused)",
    ]
    assert messages[3:] == ["Redis is back after 150 s"]
    outage.down("again")
    assert caplog.records[-1].getMessage().startswith("Redis is unavailable (again)")


def test_rq_records_about_an_unreachable_redis_are_folded_into_the_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """RQ's own ERROR lines (dequeue loop, pub/sub thread) are filtered out and counted as
    the outage; its other records pass."""
    outage = Outage("Redis")
    rq_log = logging.getLogger("tests.rq-like")
    rq_log.addFilter(outage.filter)
    caplog.set_level(logging.INFO)
    for _ in range(5):
        rq_log.error(
            "Worker %s: could not connect to Redis instance: %s retrying in %d seconds...",
            "w",
            "Error 111 connecting to 127.0.0.1:1. Connection refused.",
            2,
        )
    rq_log.info("Worker %s: started", "w")
    kept = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert kept == [
        ("worker", logging.WARNING, "Redis is unavailable (Error 111 connecting to "
         "127.0.0.1:1. Connection refused.); waiting for it (one reminder every 60 s)"),
        ("tests.rq-like", logging.INFO, "Worker w: started"),
    ]  # fmt: skip


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own, which it may kill and start."""
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_worker_logs_a_redis_outage_once_and_its_end_once(
    settings: dict[str, Any],
    db: Database,
    own_redis: EmbeddedRedis,
    start_worker: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """Redis killed under a real worker for 10 s: no ERROR line, no traceback, one line
    saying Redis is unavailable, one saying it is back; then the worker decides comments."""
    settings["REDIS_URL"] = own_redis.url
    start_worker()
    log = tmp_path / "worker-0.log"
    assert own_redis.process is not None
    own_redis.process.kill()
    own_redis.process.wait(5)
    time.sleep(10)  # RQ's loops retry every 1 to 5 s; its pub/sub thread every 2 s
    during = log.read_text()
    own_redis.restart()
    wait_for(lambda: "Redis is back" in log.read_text(), timeout=30)
    client = create_app(settings).test_client()
    comment = post(client, thread="outage-logs").get_json()["id"]

    def decided() -> bool:
        with db.session() as session:
            return session.scalar(select(Comment.state).where(Comment.id == comment)) != "pending"

    wait_for(decided, timeout=30, interval=0.2)
    out = log.read_text()
    assert " ERROR " not in out and "Traceback" not in out, out
    assert during.count("Redis is unavailable") == 1, during
    assert "still unavailable" not in during, during
    assert out.count("Redis is unavailable") == 1 and out.count("Redis is back") == 1, out
