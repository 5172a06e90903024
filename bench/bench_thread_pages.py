"""What a thread page costs, by comment against by conversation, on a busy thread: the
embed's first request. One process, no HTTP (Flask's test client), the two pagings
alternated round by round; medians of ``--rounds`` rounds of ``--requests`` requests.

    .venv/bin/python -m bench.bench_thread_pages [--comments 2000] [--requests 50] [--rounds 7]

The thread: ``--comments`` published comments, 40% of them replies (to a random earlier
comment, so conversations run several levels deep), seed 0.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from bench._common import instance, median


def _fill(app: object, comments: int) -> None:
    """Store a published thread straight into the database (intake is not measured here)."""
    from service.extensions import db
    from service.status import State
    from service.store.tables import Comment
    from tests.factories import stored

    rng = random.Random(0)
    with app.app_context():  # type: ignore[attr-defined]
        database = db()
        made: list[str] = []
        for i in range(comments):
            parent = rng.choice(made) if made and rng.random() < 0.4 else None
            row = stored(
                database, state=State.PUBLISHED, thread="t", text=f"comment {i}", parent=parent
            )
            made.append(row.id)
        with database.session() as session:
            for i, comment_id in enumerate(made):
                moved = session.get(Comment, comment_id)
                assert moved is not None
                moved.created_at -= timedelta(seconds=comments - i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with instance():
        from service import create_app

        app = create_app()
        _fill(app, args.comments)
        client = app.test_client()
        urls = {
            f"{by}, {order}": f"/api/v1/comments?thread=t&order={order}&by={by}&limit=50"
            for order in ("oldest", "newest")
            for by in ("comment", "conversation")
        }
        sizes = {}
        for name, url in urls.items():  # warm up, and what each page holds
            sizes[name] = len(client.get(url).get_json()["items"])
        times: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(args.rounds):
            for name, url in urls.items():
                started = time.perf_counter()
                for _ in range(args.requests):
                    assert client.get(url).status_code == 200
                times[name].append((time.perf_counter() - started) / args.requests * 1000)
    print(
        f"in-process, {args.comments} published comments, limit=50, "
        f"{args.rounds} rounds of {args.requests} requests (medians)"
    )
    for name in urls:
        ms = median(times[name])
        order = name.split(", ")[1]
        base = median(times[f"comment, {order}"])
        print(
            f"  {name:<22} {ms:6.2f} ms/page  {sizes[name]:4d} comments  "
            f"x{ms / base:.2f} of by comment  {ms / sizes[name] * 1000:6.1f} µs/comment"
        )


if __name__ == "__main__":
    main()
