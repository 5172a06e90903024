"""The sweep's thread: due retries every second, a sweep every interval, one worker at a
time (a Redis lock)."""

from __future__ import annotations

import logging
import threading
import time

import redis
from redis import Redis
from rq.scheduler import RQScheduler

from service.enqueue import queue_names
from worker.runtime import Runtime
from worker.sweep.comments import sweep_pending
from worker.sweep.outbound import sweep_deliveries, sweep_mail
from worker.sweep.paging import BUDGET_SHARE
from worker.sweep.purge import purge_checks

log = logging.getLogger(__name__)

LOCK_KEY = "moderato:sweep:lock"


def sweep_once(rt: Runtime, connection: Redis, owner: str) -> int:
    """Sweep if no other worker holds the lock for this interval; return comments re-queued."""
    interval = float(rt.app.config["SWEEP_INTERVAL"])
    if not connection.set(LOCK_KEY, owner, nx=True, px=max(int(interval * 1000) - 100, 100)):
        return 0
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
        redis_down = False
        while not self.stopped.wait(tick):
            elapsed += tick
            try:
                if self.scheduler.acquire_locks():
                    self.scheduler.enqueue_scheduled_jobs()
                if elapsed >= next_sweep:
                    next_sweep = elapsed + interval
                    sweep_once(self.rt, self.connection, self.owner)
                if redis_down:
                    log.info("sweep: Redis is back")
                    redis_down = False
            except redis.RedisError as exc:
                # Once per outage, not once a second (3,600 lines an hour; found in review).
                if not redis_down:
                    log.warning("sweep skipped while Redis is unavailable: %s", exc)
                redis_down = True
            except Exception:
                log.exception("sweep failed; trying again next interval")

    def stop(self) -> None:
        """Ask the thread to finish after its current sweep."""
        self.stopped.set()
