"""Worker throughput: classify N stored comments with RQ's forking Worker vs SimpleWorker.

Both run the real job (real models, real SQLite, real Valkey) in this process,
with the models loaded once before the first job. Usage:

    .venv/bin/python -m bench.bench_worker [--comments 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import time

from rq import Queue, SimpleWorker, Worker

from bench._common import instance, median


def run_round(
    worker_class: type[Worker] | type[SimpleWorker], n: int, synchronous: str = "FULL"
) -> float:
    """Store and queue ``n`` comments, drain the queue with ``worker_class``; return comments/s."""
    from service import create_app
    from service.comments import IntakeMeta, store_new
    from service.sites import by_slug
    from service.validation import CommentInput
    from worker import runtime

    app = create_app({"SQLITE_SYNCHRONOUS": synchronous})
    rt = runtime.get()
    rt.app, rt.db, rt.queue = app, app.extensions["moderato.db"], app.extensions["moderato.queue"]
    ids = []
    with rt.db.session() as session:
        site = by_slug(session, "default")
        assert site is not None
        for i in range(n):
            data = CommentInput(
                "default", "bench", "Reader", "r@example.org", f"Comment {i}: a fair point, thanks."
            )
            ids.append(store_new(session, site, data, IntakeMeta()).comment.id)
    for comment_id in ids:
        rt.queue.enqueue_classify(comment_id)
    queue = Queue(app.config["QUEUE_NAME"], connection=rt.queue.connection)
    worker = worker_class([queue], connection=rt.queue.connection)
    start = time.perf_counter()
    worker.work(burst=True, logging_level="WARNING")
    elapsed = time.perf_counter() - start
    app.extensions["moderato.db"].dispose()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    results: dict[str, list[float]] = {
        "Worker (forking, RQ default)": [],
        "SimpleWorker, SQLite FULL": [],
        "SimpleWorker, SQLite NORMAL": [],
    }
    with instance():
        from worker import runtime

        runtime.init()  # load the models once, before any fork
        for _ in range(args.rounds):
            results["Worker (forking, RQ default)"].append(run_round(Worker, args.comments))
            results["SimpleWorker, SQLite FULL"].append(run_round(SimpleWorker, args.comments))
            results["SimpleWorker, SQLite NORMAL"].append(
                run_round(SimpleWorker, args.comments, "NORMAL")
            )
    base = median(results["Worker (forking, RQ default)"])
    print(
        f"classify throughput, {args.comments} comments x {args.rounds} rounds (median comments/s)"
    )
    for name, values in results.items():
        m = median(values)
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {name:32s} {m:8.1f}/s   x{m / base:.2f}   runs: {runs}")


if __name__ == "__main__":
    main()
