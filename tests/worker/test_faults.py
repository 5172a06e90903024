"""Nothing accepted is lost: a worker killed mid-run, Redis stopped and restarted."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import create_app
from service.embedded_redis import EmbeddedRedis
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.conftest import ROOT, worker_env
from tests.factories import post
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def _decided(db: Database) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Comment).where(Comment.state != "pending")
            )
            or 0
        )


def _classifications_per_comment(db: Database) -> dict[str, int]:
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.comment_id, func.count())
            .where(AuditEntry.actor == "system:worker")
            .group_by(AuditEntry.comment_id)
        ).all()
    return {cid: n for cid, n in rows}


def test_killing_the_worker_mid_run_loses_nothing_and_decides_each_comment_once(
    client: FlaskClient, db: Database, start_worker: Callable[..., Any]
) -> None:
    """SIGKILL a worker while jobs are queued; a new worker decides every comment exactly once."""
    total = 60
    ids = [
        post(client, thread="kill", text=f"Comment number {i}, thanks!").get_json()["id"]
        for i in range(total)
    ]
    first = start_worker()
    wait_for(lambda: _decided(db) >= 1, timeout=20, interval=0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    decided_at_kill = _decided(db)
    print(f"decided when killed: {decided_at_kill}/{total}")
    assert decided_at_kill < total, (
        "the worker finished before it was killed; the test proves nothing"
    )

    start_worker()
    wait_for(lambda: _decided(db) == total, timeout=60, interval=0.2)
    per_comment = _classifications_per_comment(db)
    assert sorted(per_comment) == sorted(ids)
    assert set(per_comment.values()) == {1}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own, which it may stop and start."""
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    yield server
    server.stop()


def test_a_comment_posted_while_redis_is_down_is_classified_once_redis_is_back(
    settings: dict[str, Any],
    db: Database,
    own_redis: EmbeddedRedis,
    start_worker: Callable[..., Any],
) -> None:
    """Stop Redis, post (202, stored pending), start Redis: the sweep queues it and it is decided."""
    settings["REDIS_URL"] = own_redis.url
    client = create_app(settings).test_client()
    start_worker()
    before = post(client, thread="outage").get_json()["id"]
    wait_for(lambda: _decided(db) == 1, timeout=10)

    own_redis.stop()
    rv = post(client, thread="outage", text="Posted while Redis was down, still a fine comment.")
    assert rv.status_code == 202
    during = rv.get_json()["id"]
    with db.session() as session:
        row = session.get(Comment, during)
        assert row is not None and row.state == "pending"

    own_redis.start()
    wait_for(lambda: _decided(db) == 2, timeout=60, interval=0.2)
    per_comment = _classifications_per_comment(db)
    assert per_comment == {before: 1, during: 1}


def test_a_worker_started_while_redis_is_down_waits_for_it(
    settings: dict[str, Any], db: Database, own_redis: EmbeddedRedis, tmp_path: Path
) -> None:
    """A worker (re)started during an outage keeps retrying instead of exiting (RQ's Worker
    constructor talks to Redis), and decides what was posted meanwhile once Redis is back."""
    settings["REDIS_URL"] = own_redis.url
    client = create_app(settings).test_client()
    own_redis.stop()
    assert post(client, thread="late-redis").status_code == 202
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "worker"],
            env=worker_env(settings),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # Long enough for several reconnection attempts; before the fix the process
            # had exited with a ConnectionError within the first second.
            wait_for(lambda: b"Redis is unavailable" in log.read_bytes(), timeout=30)
            time.sleep(3)
            assert proc.poll() is None, log.read_text()
            # The worker (its loop, RQ's and the sweep's) says so once per outage, not once a second.
            assert log.read_text().count("Redis is unavailable") == 1, log.read_text()
            own_redis.start()
            wait_for(lambda: _decided(db) == 1, timeout=90, interval=0.2)
        finally:
            proc.terminate()
            proc.wait(15)
