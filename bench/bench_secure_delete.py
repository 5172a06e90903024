"""What SQLite's ``secure_delete`` costs an erasure, and what the write-ahead log
checkpoint after it costs the site's other writers.

1. Each round builds two fresh instances (SQLite, migrated, ``synchronous=FULL`` as
   deployed), one with ``secure_delete`` on (as ``service.store`` sets it) and one with it
   turned back off: ``--comments`` published comments from one address among as many from
   others, each with a webhook endpoint's outbox rows (``bench_erasure.fill``). It times the
   filling, the batched erasure (``privacy.erase_in_batches``, with a write every 20 ms
   beside it: its longest wait) and the checkpoint after it, then counts the times the
   address is still in the bytes of the database file.
2. The same cost without the service around it: raw ``sqlite3``, WAL, ``synchronous=FULL``,
   ``--rows`` rows (a tenth with a 4,500-character text, in overflow pages) erased 100 rows
   per transaction (text and address set to ''), with ``secure_delete`` off and on, in
   alternating rounds.
3. Once, a reader holds a snapshot for ``--reader-seconds`` while a checkpoint runs and
   another thread writes: ``privacy.checkpoint`` (short waits, a few tries) against a
   plain ``PRAGMA wal_checkpoint(TRUNCATE)`` on the connection's 30 s busy timeout (the
   checkpoint before this benchmark). A ``TRUNCATE`` checkpoint that waits keeps writers
   out meanwhile.

    .venv/bin/python -m bench.bench_secure_delete [--comments 500] [--rounds 3] [--rows 5000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench._common import instance, median
from bench.bench_erasure import ADDRESS, Writer, fill
from service import privacy
from service.store import Database


def database(secure: bool) -> Database:
    """The instance's database; ``secure=False`` turns ``secure_delete`` back off."""
    db = Database(os.environ["DATABASE_URL"])
    if not secure:

        @event.listens_for(db.engine, "connect")
        def _off(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA secure_delete=OFF")

    return db


def one_round(secure: bool, comments: int) -> dict[str, float]:
    """Fill, erase and checkpoint one instance; return the times and what is left."""
    with instance():
        db = database(secure)
        started = time.perf_counter()
        fill(db, comments)
        filled = time.perf_counter() - started
        writer = Writer(db)
        writer.start()
        time.sleep(0.1)
        started = time.perf_counter()
        done = privacy.erase_in_batches(db, ADDRESS, "bench")
        erased = time.perf_counter() - started
        writer.stop.set()
        writer.join()
        started = time.perf_counter()
        result = privacy.checkpoint(db)
        checkpointed = time.perf_counter() - started
        assert done.comments == comments and result is not None and not result.busy
        path = Path(db.engine.url.database or "")
        left = path.read_bytes().count(ADDRESS.encode())
        db.dispose()
    return {
        "fill": filled,
        "erase": erased,
        "wait": max(writer.waits),
        "checkpoint": checkpointed,
        "left": float(left),
    }


def raw_erasure(rows: int, secure: bool) -> float:
    """Erase ``rows`` rows of a fresh file 100 per transaction; return the time it took."""
    with tempfile.TemporaryDirectory(prefix="moderato-bench-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA secure_delete={'ON' if secure else 'OFF'}")
        conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, email TEXT, body TEXT)")
        conn.execute("CREATE INDEX ix_c_email ON c (email)")
        conn.execute("BEGIN")
        for n in range(rows):
            body = ("a long comment, line by line; " * 150) if n % 10 == 0 else "a comment " * 30
            conn.execute("INSERT INTO c (email, body) VALUES (?, ?)", (f"r{n}@example.org", body))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        started = time.perf_counter()
        for start in range(1, rows + 1, 100):
            conn.execute("BEGIN")
            conn.execute(
                "UPDATE c SET email = '', body = '' WHERE id >= ? AND id < ?", (start, start + 100)
            )
            conn.execute("COMMIT")
        took = time.perf_counter() - started
        conn.close()
    return took


def behind_reader(seconds: float, plain: bool) -> tuple[float, float, bool]:
    """Checkpoint while a reader holds an older snapshot for ``seconds``; return the
    checkpoint's time, the longest wait of a write made meanwhile, and whether it was busy."""
    with instance():
        db = database(True)
        fill(db, 20)
        reader = sqlite3.connect(
            Path(db.engine.url.database or ""), isolation_level=None, check_same_thread=False
        )
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM comments").fetchone()
        fill(db, 5)  # frames the reader's snapshot does not see
        closer = threading.Timer(seconds, lambda: reader.execute("COMMIT"))
        writer = Writer(db)
        closer.start()
        writer.start()
        started = time.perf_counter()
        if plain:
            with db.engine.connect() as conn:
                busy = bool(conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0])
        else:
            result = privacy.checkpoint(db)
            busy = result is not None and result.busy
        took = time.perf_counter() - started
        writer.stop.set()
        writer.join()
        closer.join()
        reader.close()
        db.dispose()
    return took, max(writer.waits), busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reader-seconds", type=float, default=3.0)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for secure in (False, True):
            runs[secure].append(one_round(secure, args.comments))
    print(
        f"{args.comments} comments of one address among {args.comments * 2}, one webhook "
        f"endpoint, SQLite synchronous=FULL, {args.rounds} rounds (medians)"
    )
    base = {k: median([r[k] for r in runs[False]]) for k in runs[False][0]}
    for secure in (False, True):
        m = {k: median([r[k] for r in runs[secure]]) for k in runs[secure][0]}
        label = "secure_delete ON " if secure else "secure_delete OFF"
        print(
            f"  {label}  fill {m['fill']:6.2f} s (x{m['fill'] / base['fill']:.2f})  "
            f"erase {m['erase']:6.2f} s (x{m['erase'] / base['erase']:.2f}), longest "
            f"concurrent write {m['wait'] * 1000:4.0f} ms  checkpoint "
            f"{m['checkpoint'] * 1000:4.0f} ms  address left in the file: {m['left']:.0f}"
        )
    raw: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(max(args.rounds, 5)):
        for secure in (False, True):
            raw[secure].append(raw_erasure(args.rows, secure))
    off, on = median(raw[False]), median(raw[True])
    print(
        f"raw sqlite3, {args.rows} rows erased 100 per transaction, {len(raw[True])} rounds: "
        f"secure_delete OFF {off * 1000:.0f} ms, ON {on * 1000:.0f} ms (x{on / off:.2f})"
    )
    print(f"a reader holding an older snapshot for {args.reader_seconds:g} s:")
    for plain, label in (
        (True, "plain TRUNCATE, 30 s busy timeout"),
        (False, "privacy.checkpoint"),
    ):
        took, wait, busy = behind_reader(args.reader_seconds, plain)
        print(
            f"  {label:<34} {took * 1000:5.0f} ms ({'busy' if busy else 'done'}), longest "
            f"concurrent write {wait * 1000:4.0f} ms"
        )


if __name__ == "__main__":
    main()
