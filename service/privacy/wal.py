"""After an erasure on SQLite: fold the write-ahead log into the database file, so the
erased text does not linger in ``moderato.db-wal``."""

from __future__ import annotations

import time
from dataclasses import dataclass

from service.store import BUSY_TIMEOUT_MS, Database

#: How long one checkpoint attempt may wait for SQLite's locks (milliseconds), and the
#: attempts. A ``TRUNCATE`` checkpoint that waits keeps new writers out meanwhile, so it
#: waits briefly and tries again rather than queue the comment form behind a long reader
#: for the connection's 30 s busy timeout.
CHECKPOINT_WAIT_MS = 200
CHECKPOINT_TRIES = 3


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """SQLite's answer to ``PRAGMA wal_checkpoint``: done unless ``busy``."""

    busy: bool
    log_frames: int
    checkpointed: int


def checkpoint(database: Database, tries: int = CHECKPOINT_TRIES) -> Checkpoint | None:
    """On SQLite, fold the write-ahead log into the database file and truncate it, so the
    erased text does not linger in ``moderato.db-wal`` until the next shutdown (found in
    review). Each attempt waits at most ``CHECKPOINT_WAIT_MS`` for readers and writers, with
    a pause between two; returns SQLite's last answer (``busy``: a reader kept an older
    snapshot, the log was not truncated; SQLite's own checkpoints fold it in later). Nothing
    to do on PostgreSQL (None)."""
    if database.engine.dialect.name != "sqlite":
        return None
    result = Checkpoint(True, -1, -1)
    with database.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            for attempt in range(tries):
                if attempt:
                    time.sleep(CHECKPOINT_WAIT_MS / 1000)
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                result = Checkpoint(bool(row[0]), int(row[1]), int(row[2]))
                if not result.busy:
                    break
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return result
