"""Worker entry point: ``python -m worker`` / ``moderato worker``.

Loads the app and the models once, starts the sweep thread (which also moves
due retries to the queue), then runs a non-forking RQ worker: the models are
already in memory, and a fork per job is the slow part of RQ's default worker
(``bench/bench_pipeline.py`` measures both). If the work loop ends on an error
(e.g. Redis went away mid-call), it starts again after a pause; SIGTERM and
SIGINT stop it cleanly at any point, including while the models load and in
the gap where RQ has registered the worker but not yet installed its own
signal handlers. Its name is new at every start (``worker.names``), and a Redis
outage is logged once, not by RQ every second (``worker.outage``). A bad setting or
unloadable models stop it with one line (``service.operator_errors``).
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from types import FrameType
from typing import Any

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested

from service.enqueue import connect, queue_names
from service.operator_errors import stop_on_operator_error
from worker import names, outage, runtime
from worker.sweep.loop import Sweeper

log = logging.getLogger("worker")

#: Seconds between heartbeats of an idle worker, plus 15; RQ keeps a registration
#: ``WORKER_TTL + 60`` seconds after the last one. RQ's default, 420, left a SIGKILLed
#: worker counted as live (``/metrics``, ``moderato status``) and its name taken for 8
#: minutes; with 30, an idle worker heartbeats every 15 s and a dead one is gone in 90 s.
WORKER_TTL = 30


class StopFlag:
    """Set by SIGTERM/SIGINT whenever they arrive, whoever's handler is installed.

    A plain attribute, not a ``threading.Event``: the handler runs on the main
    thread, possibly while that thread holds the Event's lock.
    """

    def __init__(self) -> None:
        self.set_ = False

    def set(self) -> None:
        self.set_ = True

    def is_set(self) -> bool:
        return self.set_

    def clear(self) -> None:
        self.set_ = False

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early once the flag is set."""
        deadline = time.monotonic() + seconds
        while not self.set_ and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))


stop_requested = StopFlag()


def _note_stop(signum: int, frame: FrameType | None) -> None:
    stop_requested.set()


def install_stop_handlers() -> None:
    """Handle SIGTERM/SIGINT outside RQ's work loop: note the request and let the loop see it."""
    signal.signal(signal.SIGTERM, _note_stop)
    signal.signal(signal.SIGINT, _note_stop)


class Worker(SimpleWorker):
    """RQ's non-forking worker that honours a stop signal received before its handlers existed.

    RQ registers the worker in Redis before it installs its signal handlers, so
    a SIGTERM in between would otherwise kill the process with the default
    action (exit status -15) instead of stopping it cleanly.
    """

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        if stop_requested.is_set():
            self._stop_requested = True

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        stop_requested.set()
        super().request_stop(signum, frame)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        super().heartbeat(timeout, pipeline)
        if pipeline is None:  # it reached Redis: an outage, if any, is over
            outage.REDIS.up()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="moderato worker", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="quit when the queue is empty")
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="run no sweep thread (no re-queueing of lost work, no delayed retries)",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="worker name (default: host.pid.<random>, new at every start)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the worker until asked to stop."""
    args = parse_args(argv)
    install_stop_handlers()
    # RQ logs an ERROR every second or two while Redis is away: one line per outage instead.
    logging.getLogger("rq.worker").addFilter(outage.REDIS.filter)
    with stop_on_operator_error():  # a bad setting: one line and exit status 4, as `moderato`
        rt = runtime.init()
    cfg = rt.app.config
    name = args.name or names.default_name()
    queues = queue_names(cfg["QUEUE_NAME"])
    sweeper = None
    if not args.no_sweep:
        sweeper = Sweeper(rt, connect(cfg["REDIS_URL"], cfg["REDIS_SOCKET_TIMEOUT"]), name)
        sweeper.start()
    pause = 1.0
    runs = 0
    try:
        while not stop_requested.is_set():
            runs += 1
            started = time.monotonic()
            try:
                # Inside the try: RQ's constructor talks to Redis (CLIENT SETNAME), and a
                # worker started, or restarted, while Redis is away must wait, not exit.
                connection = redis.from_url(cfg["REDIS_URL"])
                run_name = name if runs == 1 else f"{name}.{runs}"
                names.claim(connection, run_name, queues)
                worker = Worker(queues, connection=connection, name=run_name, worker_ttl=WORKER_TTL)
                worker.max_connection_wait_time = 5.0
                worker.work(burst=args.burst, logging_level=cfg.get("LOG_LEVEL", "INFO"))
            except names.NameInUse as exc:
                log.error("%s", exc)
                return 1
            except ValueError as exc:  # RQ's register_birth: another process took it meanwhile
                if "active worker named" not in str(exc):
                    raise
                log.error("%s; give each worker its own --name, or leave --name out", exc)
                return 1
            except redis.RedisError as exc:
                if time.monotonic() - started > 60:
                    pause = 1.0  # it had been working: a new outage starts the backoff again
                outage.REDIS.down(exc)
                log.debug("worker lost Redis (%s); restarting in %.0fs", exc, pause)
            except StopRequested:
                # RQ's handler raises this when the signal lands outside its loop
                # (e.g. during teardown); the flag is already set.
                pass
            finally:
                install_stop_handlers()
            if args.burst:
                return 0
            stop_requested.wait(pause)
            pause = min(pause * 2, 5.0)
        return 0
    finally:
        if sweeper is not None:
            sweeper.stop()


if __name__ == "__main__":
    raise SystemExit(main())
