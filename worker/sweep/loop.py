"""The sweep's thread: due retries every second, a sweep every interval, one worker at a
time (a Redis lock)."""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis import Redis
from rq.scheduler import RQScheduler
from sqlalchemy.exc import OperationalError

from service.enqueue import queue_names
from worker.outage import REDIS
from worker.runtime import Runtime
from worker.sweep.comments import sweep_pending
from worker.sweep.outbound import sweep_deliveries, sweep_mail
from worker.sweep.paging import BUDGET_SHARE
from worker.sweep.purge import purge_checks

log = logging.getLogger(__name__)

LOCK_KEY = "moderato:sweep:lock"


def sweep_once(rt: Runtime, connection: Redis, owner: str) -> int | None:
    """Sweep if no other worker holds the lock for this interval; return comments re-queued
    (None when another worker sweeps this interval)."""
    interval = float(rt.app.config["SWEEP_INTERVAL"])
    if not connection.set(LOCK_KEY, owner, nx=True, px=max(int(interval * 1000) - 100, 100)):
        return None
    # One budget for both phases, well inside the lock: each phase had half the interval,
    # and a sweep outlived its lock while another worker's began (found in review).
    share = BUDGET_SHARE * interval
    started = time.monotonic()
    queued = sweep_pending(rt, connection, budget=share)
    sweep_deliveries(rt, connection, budget=max(share - (time.monotonic() - started), 0.0))
    sweep_mail(rt, connection, budget=max(share - (time.monotonic() - started), 0.0))
    purge_checks(rt.db)
    return queued


class Sweeper(threading.Thread):
    """A daemon thread: due retries every second, the sweep every ``SWEEP_INTERVAL`` seconds."""

    def __init__(self, rt: Runtime, connection: Redis, owner: str) -> None:
        super().__init__(name="moderato-sweep", daemon=True)
        self.rt = rt
        self.connection = connection
        self.owner = owner
        self.stopped = threading.Event()
        self.scheduler = RQScheduler(
            queue_names(rt.app.config["QUEUE_NAME"]), connection=connection
        )

    def run(self) -> None:
        interval = float(self.rt.app.config["SWEEP_INTERVAL"])
        tick = min(1.0, interval)
        next_sweep = 0.0
        elapsed = 0.0
        down: set[str] = set()  # "the database": logged once per outage
        while not self.stopped.wait(tick):
            elapsed += tick
            try:
                if self.scheduler.acquire_locks():
                    self.scheduler.enqueue_scheduled_jobs()
                REDIS.up()  # the scheduler talked to it; a sweep to the database
                if elapsed >= next_sweep:
                    next_sweep = elapsed + interval
                    if sweep_once(self.rt, self.connection, self.owner) is not None:
                        _back(down, "the database")
            except redis.RedisError as exc:
                # Once per outage (with the worker's own line), not once a second (3,600
                # lines an hour; found in review).
                REDIS.down(exc)
            except OperationalError as exc:
                # The same for the database: a traceback every interval of a PostgreSQL
                # outage buried the one line that said what was wrong.
                _outage(down, "the database", exc)
            except Exception:
                log.exception("sweep failed; trying again next interval")

    def stop(self) -> None:
        """Ask the thread to finish after its current sweep."""
        self.stopped.set()


def _outage(down: set[str], name: str, exc: Exception) -> None:
    """Log the first failure of an outage of ``name``; later ones until it is back are quiet."""
    if name not in down:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning("sweep skipped while %s is unavailable: %s", name, reason)
    down.add(name)


def _back(down: set[str], name: str) -> None:
    """Log the end of an outage of ``name``, if there was one."""
    if name in down:
        log.info("sweep: %s is back", name)
        down.discard(name)
