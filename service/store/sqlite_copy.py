"""Back up and restore an SQLite database with SQLite's online backup API.

A copy of the file is not a backup while moderato runs (the newest commits are in
``moderato.db-wal``), and copying a backup over ``moderato.db`` is not a restore: a
``-wal`` file left by a crash is replayed onto the copied file when it is next opened,
so the "restored" database silently holds the old database's last transactions on top
(found in review). Both go through SQLite here: ``backup`` reads a consistent snapshot
while web and workers keep writing, and ``restore`` opens the live database (taking in
whatever its ``-wal`` holds), overwrites every page with the backup's through its own
journal, and checkpoints, so nothing of the old database is replayed afterwards.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class CopyError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


def _check(conn: sqlite3.Connection, what: str) -> None:
    (result,) = conn.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise CopyError(f"{what} is damaged: {result}")


def backup(live: Path, dest: Path) -> None:
    """Write a consistent copy of ``live`` to ``dest``: one self-contained file (no -wal)."""
    if dest.exists():
        raise CopyError(f"{dest} exists: choose a new file name")
    if not live.is_file():
        raise CopyError(f"there is no database at {live}")
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(live, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")  # one file, whatever the live one used
            _check(out, "the backup")
        finally:
            out.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise CopyError(f"backup failed: {exc}") from None
    finally:
        src.close()
    os.replace(partial, dest)


def restore(source: Path, live: Path) -> None:
    """Replace the contents of ``live`` with the backup ``source``; web and workers must
    be stopped. A ``-wal`` left by a crash is overwritten, never replayed afterwards."""
    if not source.is_file():
        raise CopyError(f"there is no backup at {source}")
    if source.resolve() == live.resolve():
        raise CopyError("the backup and the database are the same file")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check(src, f"the backup {source}")
        live.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(live, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as moderato opens it
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _check(dst, "the restored database")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise CopyError(f"restore failed: {exc}") from None
    finally:
        src.close()
