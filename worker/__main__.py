"""Worker entry point: ``python -m worker`` / ``moderato worker``.

Loads the app and the models once, starts the sweep thread (which also moves
due retries to the queue), then runs a non-forking RQ worker: the models are
already in memory, and a fork per job is the slow part of RQ's default worker
(``bench/bench_pipeline.py`` measures both). If the work loop ends on an error
(e.g. Redis went away mid-call), it starts again after a pause; SIGTERM and
SIGINT stop it cleanly.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import time
from types import FrameType

import redis
from rq import SimpleWorker

from service.enqueue import connect
from worker import runtime
from worker.sweep import Sweeper

log = logging.getLogger("worker")


class Worker(SimpleWorker):
    """RQ's non-forking worker that remembers a stop signal (RQ's idle stop leaves no trace)."""

    stop_signalled = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signalled = True
        super().request_stop(signum, frame)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="moderato worker", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="quit when the queue is empty")
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="run no sweep thread (no re-queueing of lost work, no delayed retries)",
    )
    parser.add_argument("--name", default=None, help="worker name (default: host.pid)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the worker until asked to stop."""
    args = parse_args(argv)
    rt = runtime.init()
    cfg = rt.app.config
    name = args.name or f"{socket.gethostname()}.{os.getpid()}"
    sweeper = None
    if not args.no_sweep:
        sweeper = Sweeper(rt, connect(cfg["REDIS_URL"], cfg["REDIS_SOCKET_TIMEOUT"]), name)
        sweeper.start()
    pause = 1.0
    runs = 0
    try:
        while True:
            runs += 1
            worker = Worker(
                [cfg["QUEUE_NAME"]],
                connection=redis.from_url(cfg["REDIS_URL"]),
                name=name if runs == 1 else f"{name}.{runs}",
            )
            worker.max_connection_wait_time = 5.0
            try:
                worker.work(burst=args.burst, logging_level="INFO")
            except redis.RedisError as exc:
                log.warning("worker lost Redis (%s); restarting in %.0fs", exc, pause)
            if args.burst or worker.stop_signalled:
                return 0
            time.sleep(pause)
            pause = min(pause * 2, 10.0)
    finally:
        if sweeper is not None:
            sweeper.stop()


if __name__ == "__main__":
    raise SystemExit(main())
