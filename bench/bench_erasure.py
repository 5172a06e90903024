"""How long a privacy erasure takes (``moderato comments erase``), against an export of the
same address in the same process as the baseline.

Each round builds a fresh instance (SQLite, migrated): one webhook endpoint subscribed to
every event, ``--comments`` published comments from one address among as many from
others (each with its ``comment.received`` and ``comment.published`` outbox rows), then
times ``privacy.export`` of that address, then its erasure, once in one transaction
(``privacy.erase``) and once in batches as the CLI and the dashboard run it
(``privacy.erase_in_batches``), each on a fresh instance, while another thread writes
every 20 ms (the comment form): the longest of those writes is what an erasure costs the
site's other writers. Medians over ``--rounds``.

    .venv/bin/python -m bench.bench_erasure [--comments 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import threading
import time

from bench._common import instance, median
from service import privacy, sites
from service.comments import IntakeMeta, store_new
from service.events import EVENT_TYPES
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry
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


class Writer(threading.Thread):
    """A comment form's write, every 20 ms in its own transaction, while an erasure runs:
    records how long each one took (SQLite has one writer, so it waits for the erasure's
    open transaction)."""

    def __init__(self, database: Database) -> None:
        super().__init__(daemon=True)
        self.database, self.stop = database, threading.Event()
        self.waits: list[float] = []

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            with self.database.session() as session:
                session.add(AuditEntry(actor="bench", action="note", note="a concurrent write"))
            self.waits.append(time.perf_counter() - started)
            self.stop.wait(0.02)


def erase_timed(database: Database, batched: bool) -> tuple[float, float]:
    """Erase ADDRESS (one transaction, or in batches as the CLI does) with a concurrent
    writer; return the erasure's time and the writer's longest wait."""
    writer = Writer(database)
    writer.start()
    time.sleep(0.1)
    started = time.perf_counter()
    if batched:
        done = privacy.erase_in_batches(database, ADDRESS, "bench")
    else:
        with database.session() as session:
            done = privacy.erase(session, ADDRESS, "bench")
    took = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    assert done.taken_down == done.comments
    return took, max(writer.waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    exports: list[float] = []
    erasures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for batched in (False, True):
            with instance():
                database = Database(os.environ["DATABASE_URL"])
                fill(database, args.comments)
                started = time.perf_counter()
                with database.session() as session:
                    found = privacy.export(session, ADDRESS)
                exports.append(time.perf_counter() - started)
                assert len(found["comments"]) == args.comments
                erasures[batched].append(erase_timed(database, batched))
                database.dispose()
    export = median(exports)
    print(
        f"{args.comments} comments of one address among {args.comments * 2}, one webhook "
        f"endpoint, SQLite, {args.rounds} rounds (medians); a concurrent write every 20 ms"
    )
    print(f"  export (baseline)           {export * 1000:8.0f} ms   x1.0")
    for batched, label in ((False, "one transaction"), (True, f"batches of {privacy.BATCH}")):
        took = median([t for t, _ in erasures[batched]])
        wait = median([w for _, w in erasures[batched]])
        print(
            f"  erase, {label:<19}  {took * 1000:8.0f} ms   x{took / export:.1f} of the export, "
            f"{took / args.comments * 1000:.2f} ms a comment; longest concurrent write "
            f"{wait * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
