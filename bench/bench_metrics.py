"""What one ``GET /metrics`` costs as the comments table grows (SQLite, real Valkey).

Fills a fresh instance with ``--comments`` comments (rounded up to a power of two; 10%
pending, 10% held, the rest published, copied in SQL from one stored comment), then times
``/metrics`` through the test client (token set), median of ``--rounds``.

    .venv/bin/python -m bench.bench_metrics [--comments 100000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import time

from bench._common import instance, median
from service import create_app
from service.extensions import db
from tests.factories import stored

TOKEN = "bench"


def fill(comments: int) -> None:
    """Store ``comments`` comments by doubling one stored comment in SQL."""
    app = create_app()
    with app.app_context():
        database = db()
        stored(database)
        with database.engine.begin() as conn:
            cols = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(comments)")]
            rest = ", ".join(c for c in cols if c != "id")
            while conn.exec_driver_sql("SELECT count(*) FROM comments").scalar_one() < comments:
                conn.exec_driver_sql(
                    f"INSERT INTO comments (id, {rest}) "
                    f"SELECT lower(hex(randomblob(16))), {rest} FROM comments"
                )
            conn.exec_driver_sql(
                "UPDATE comments SET state = CASE abs(random()) % 10 WHEN 0 THEN 'pending' "
                "WHEN 1 THEN 'held' ELSE 'published' END"
            )
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with instance():
        fill(args.comments)
        app = create_app({"METRICS_TOKEN": TOKEN})
        client = app.test_client()
        with app.app_context():
            total = db().engine.connect().exec_driver_sql("SELECT count(*) FROM comments")
            count = total.scalar_one()
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            rv = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            times.append(time.perf_counter() - started)
            assert rv.status_code == 200
        print(
            f"{count} comments: /metrics {median(times) * 1000:.1f} ms (median of "
            f"{args.rounds}; min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
        )
        print(rv.get_data(as_text=True))


if __name__ == "__main__":
    main()
