"""What one request costs in this process, without HTTP: intake (validate, store + fsync,
enqueue to a real Valkey), a thread page and the Atom feeds (50 published comments each),
through Flask's test client. Far less noisy
than ``bench_intake`` (no wrk, no gunicorn, one core), so it shows a change's cost per
request; ``/healthz`` is the baseline in the same run. Medians of ``--rounds`` rounds of
``--requests`` requests each.

    .venv/bin/python -m bench.bench_request_cost [--requests 100] [--rounds 5]

To compare two versions of the code, run it in a git worktree of each (``PYTHONPATH=.``).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench._common import instance, median

BODY = {
    "thread": "t",
    "name": "Ada",
    "email": "ada@example.org",
    "text": "A considered comment on the council budget.",
}


def publish_feed_thread(app: Any, client: Any) -> None:
    """Post 50 comments to thread ``f`` and publish them (no worker runs here), so each feed
    holds 50 entries; thread ``t``, which the thread list reads, stays as it was."""
    from sqlalchemy import update

    from service.clock import utcnow
    from service.status import State
    from service.store.tables import Comment

    for _ in range(50):
        client.post("/api/v1/comments", json={**BODY, "thread": "f"})
    with app.extensions["moderato.db"].session() as session:
        session.execute(
            update(Comment)
            .where(Comment.thread == "f")
            .values(state=State.PUBLISHED.value, published_at=utcnow())
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with instance():
        from service import create_app

        app = create_app()
        client = app.test_client()
        for _ in range(30):  # warm up: imports, connections, the first pages
            client.post("/api/v1/comments", json=BODY)
        publish_feed_thread(app, client)
        calls = {
            "GET /healthz (baseline)": lambda: client.get("/healthz"),
            "GET /api/v1/comments (thread)": lambda: client.get(
                "/api/v1/comments?thread=t&limit=20"
            ),
            "GET /feed/thread.atom (50)": lambda: client.get("/feed/thread.atom?thread=f"),
            "GET /feed/site.atom (50)": lambda: client.get("/feed/site.atom"),
            "POST /api/v1/comments (intake)": lambda: client.post("/api/v1/comments", json=BODY),
        }
        results = {}
        for name, call in calls.items():
            rounds = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                for _ in range(args.requests):
                    assert call().status_code in (200, 202)
                rounds.append((time.perf_counter() - started) / args.requests * 1000)
            results[name] = median(rounds)
    base = results["GET /healthz (baseline)"]
    print(f"in-process, {args.rounds} rounds of {args.requests} requests (medians), SQLite FULL")
    for name, ms in results.items():
        print(f"  {name:<32} {ms:6.2f} ms/request   x{ms / base:.1f} of baseline")


if __name__ == "__main__":
    main()
