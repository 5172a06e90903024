"""One line when Redis goes away, one when it is back, at most one reminder a minute between.

RQ logs an ERROR each time its dequeue loop or its pub/sub thread fails to reach Redis
(about every second or two: 3,600 lines an hour of one outage, found in review). The
worker routes those records, its own restart loop and its sweep thread through one
:class:`Outage` per process, which says what happened once and then stays quiet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

log = logging.getLogger("worker")

#: Seconds between two reminders that an outage goes on.
REMIND_EVERY = 60.0

#: RQ's messages for a Redis it cannot reach (its dequeue loop, its pub/sub thread, its
#: work loop's timeout).
RQ_OUTAGE_MESSAGES = ("could not connect to Redis instance", "Redis connection timeout")


class Outage:
    """Say once that a dependency is unavailable, once that it is back, and at most one
    reminder every ``remind_every`` seconds in between. Thread-safe."""

    def __init__(
        self,
        what: str,
        remind_every: float = REMIND_EVERY,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger = log,
    ) -> None:
        self.what = what
        self.remind_every = remind_every
        self.clock = clock
        self.logger = logger
        self.since: float | None = None
        self.last_said = 0.0
        self._lock = threading.Lock()

    def down(self, reason: object) -> None:
        """Note a failure to reach it; log only the first of an outage, and reminders."""
        text = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
        with self._lock:
            now = self.clock()
            if self.since is None:
                self.since = self.last_said = now
                self.logger.warning(
                    "%s is unavailable (%s); waiting for it (one reminder every %.0f s)",
                    self.what,
                    text,
                    self.remind_every,
                )
            elif now - self.last_said >= self.remind_every:
                self.last_said = now
                self.logger.warning(
                    "%s still unavailable after %.0f s (%s)", self.what, now - self.since, text
                )

    def up(self) -> None:
        """Note a success; log the end of an outage, if there was one."""
        if self.since is None:  # the common case, without the lock
            return
        with self._lock:
            if self.since is not None:
                self.logger.info("%s is back after %.0f s", self.what, self.clock() - self.since)
                self.since = None

    def filter(self, record: logging.LogRecord) -> bool:
        """A logging filter for RQ's logger: its records about an unreachable Redis become
        :meth:`down` calls; every other record passes."""
        args = record.args if isinstance(record.args, tuple) else ()
        if isinstance(record.msg, str) and any(m in record.msg for m in RQ_OUTAGE_MESSAGES):
            self.down(args[1] if len(args) > 1 else "timeout")
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
            self.down(exc)
            return False
        return True


#: This process's Redis outage: RQ's logger, the restart loop and the sweep share it.
REDIS = Outage("Redis")
