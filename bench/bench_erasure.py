"""How long a privacy erasure takes (``moderato comments erase``), against an export of the
same address in the same process as the baseline.

Each round builds a fresh instance (SQLite, migrated): one webhook endpoint subscribed to
every event, ``--comments`` published comments from one address among as many from
others (each with its ``comment.received`` and ``comment.published`` outbox rows), then
times ``privacy.export`` and ``privacy.erase`` of that address, each in one transaction as
the CLI runs them. Medians over ``--rounds``.

    .venv/bin/python -m bench.bench_erasure [--comments 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import time

from bench._common import instance, median
from service import privacy, sites
from service.comments import IntakeMeta, store_new
from service.events import EVENT_TYPES
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.validation import CommentInput

ADDRESS = "ada@example.org"


def fill(database: Database, comments: int) -> None:
    """Store ``comments`` published comments by ADDRESS and as many by others."""
    with database.session() as session:
        site = sites.by_slug(session, sites.DEFAULT_SLUG)
        assert site is not None
        create_endpoint(
            session, site, "http://127.0.0.1:9/in", list(EVENT_TYPES), allow_private=True
        )
        for n in range(comments * 2):
            email = ADDRESS if n % 2 == 0 else f"reader{n}@example.org"
            data = CommentInput(
                site=site.slug,
                thread=f"article-{n % 40}",
                name="Ada Reader" if n % 2 == 0 else f"Reader {n}",
                email=email,
                text=f"A considered comment, number {n}, on the council's budget.",
            )
            comment = store_new(session, site, data, IntakeMeta()).comment
            session.flush()
            change = Change(
                expected=State.PENDING,
                new=State.PUBLISHED,
                actor="system:worker",
                action="classify",
                values={"spam": 0.01, "toxicity": 0.01},
            )
            assert transition(session, comment.id, change) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    exports, erasures = [], []
    for _ in range(args.rounds):
        with instance():
            database = Database(os.environ["DATABASE_URL"])
            fill(database, args.comments)
            started = time.perf_counter()
            with database.session() as session:
                found = privacy.export(session, ADDRESS)
            exports.append(time.perf_counter() - started)
            assert len(found["comments"]) == args.comments
            started = time.perf_counter()
            with database.session() as session:
                done = privacy.erase(session, ADDRESS, "bench")
            erasures.append(time.perf_counter() - started)
            assert done.taken_down == args.comments
            database.dispose()
    export, erase = median(exports), median(erasures)
    print(
        f"{args.comments} comments of one address among {args.comments * 2}, one webhook "
        f"endpoint, SQLite, {args.rounds} rounds (medians)"
    )
    print(f"  export (baseline)  {export * 1000:8.0f} ms   x1.0")
    print(
        f"  erase              {erase * 1000:8.0f} ms   x{erase / export:.1f} of the export, "
        f"{erase / args.comments * 1000:.2f} ms a comment"
    )


if __name__ == "__main__":
    main()
