"""How fast the sweep restores comments whose jobs Redis lost (a Redis restart without
its append-only file, a flushed queue).

Each round builds a fresh instance (SQLite, migrated, real Valkey) with ``--comments``
pending comments queued ten minutes ago and no job in Redis, then runs the sweep as a
worker's sweep thread would, once per ``SWEEP_INTERVAL`` (10 s by default), until every
comment is queued again, and reports how many sweeps that took, the time spent sweeping,
and the recovery time those sweeps mean at the default interval. Two ways in the same
process, on fresh instances: one batch of ``worker.sweep.paging.BATCH`` per sweep (the sweep
before session 12: ``budget=0`` stops after the first batch), and batch after batch for
up to half the interval (the shipped default). Medians over ``--rounds``.

    .venv/bin/python -m bench.bench_sweep [--comments 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta
from types import SimpleNamespace

import redis as redis_lib
from sqlalchemy import update

from bench._common import instance, median
from service import create_app, sites
from service.clock import utcnow
from service.comments import IntakeMeta, store_new
from service.extensions import queue
from service.store import Database
from service.store.tables import Comment
from service.validation import CommentInput
from worker.sweep import paging
from worker.sweep.comments import sweep_pending


def fill(database: Database, comments: int) -> None:
    """Store ``comments`` pending comments whose job was queued ten minutes ago and lost."""
    with database.session() as session:
        site = sites.by_slug(session, sites.DEFAULT_SLUG)
        assert site is not None
        for n in range(comments):
            data = CommentInput(
                site=site.slug,
                thread=f"article-{n % 40}",
                name=f"Reader {n}",
                email=f"reader{n}@example.org",
                text=f"A considered comment, number {n}, on the council's budget.",
            )
            store_new(session, site, data, IntakeMeta())
        session.execute(update(Comment).values(enqueued_at=utcnow() - timedelta(minutes=10)))


def recover(comments: int, one_batch: bool) -> tuple[int, float]:
    """Return the sweeps and the seconds of sweeping it takes to queue every lost comment."""
    with instance():
        database = Database(os.environ["DATABASE_URL"])
        fill(database, comments)
        app = create_app()
        with app.app_context():
            rt = SimpleNamespace(app=app, db=database, queue=queue())
            conn = redis_lib.from_url(app.config["REDIS_URL"])
            budget = 0.0 if one_batch else None
            done = sweeps = 0
            spent = 0.0
            while done < comments:
                started = time.perf_counter()
                done += sweep_pending(rt, conn, budget=budget)  # type: ignore[arg-type]
                spent += time.perf_counter() - started
                sweeps += 1
            assert queue().queue.count == comments
        database.engine.dispose()
        return sweeps, spent


def main() -> None:
    """Run the rounds and print one line per way, then the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    interval = 10.0  # the default MODERATO_SWEEP_INTERVAL
    print(f"{args.comments} lost comments, sweep every {interval:g} s, BATCH {paging.BATCH}")
    results: dict[str, tuple[float, float]] = {}
    for label, one_batch in (
        ("one batch per sweep", True),
        ("batches for half the interval", False),
    ):
        runs = [recover(args.comments, one_batch) for _ in range(args.rounds)]
        sweeps = median([float(s) for s, _ in runs])
        spent = median([t for _, t in runs])
        # Every sweep but the last waits out the interval; the last ends when it is done.
        recovery = (sweeps - 1) * interval + spent / sweeps
        results[label] = (sweeps, recovery)
        print(
            f"{label:32s} sweeps {sweeps:4.0f}  sweeping {spent:6.2f} s  "
            f"({args.comments / spent:6.0f} comments/s)  "
            f"recovery at the interval ≈ {recovery:6.1f} s"
        )
    (_, before), (_, after) = results.values()
    print(f"recovery time ratio (batches / one batch): {after / before:.3f}")


if __name__ == "__main__":
    main()
