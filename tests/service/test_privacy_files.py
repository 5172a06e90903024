"""An erasure on a real SQLite file: the erased text and address leave the bytes of the
database file and of its write-ahead log (``secure_delete`` and the ``TRUNCATE``
checkpoint), and the checkpoint never keeps writers waiting long behind a reader."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask.testing import FlaskClient

from service import privacy
from service.privacy.wal import CHECKPOINT_TRIES, CHECKPOINT_WAIT_MS
from service.store import Database
from tests.factories import post, published, stored

EMAIL = "zqx-private-person@example.org"
MARKER = "Qzv7LovelaceByronRoad"
#: Longer than SQLite's 4 KiB page: the text goes to overflow pages, freed whole on erasure.
LONG = f"{MARKER} " + "the council's figures, line by line; " * 120 + MARKER


def _path(db: Database) -> Path:
    return Path(db.engine.url.database or "")


def _files(db: Database) -> bytes:
    """Return the bytes of the database file and of its write-ahead log, if any."""
    path = _path(db)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_an_erased_text_leaves_the_database_file_and_its_log(db: Database) -> None:
    """Before the erasure the files hold the text (a short one in a table page, a long one
    in overflow pages) and the address; after it and its checkpoint the log is empty and
    the database file holds neither, not even in its free space."""
    published(db, email=EMAIL, text=LONG)
    stored(db, email=EMAIL, text=f"short, with {MARKER} inside")
    with db.engine.connect() as conn:  # some of it in the database file, some in the log
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    stored(db, email=EMAIL.upper(), text=f"a third, {MARKER}")
    before = _files(db)
    assert MARKER.encode() in before and EMAIL.encode() in before

    done = privacy.erase_in_batches(db, EMAIL, "cli")
    assert done.comments == 3
    result = privacy.checkpoint(db)

    assert result is not None and not result.busy
    wal = _path(db).with_name(_path(db).name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    after = _files(db)
    assert MARKER.encode() not in after
    assert EMAIL.encode() not in after.lower()


def test_every_connection_deletes_securely(db: Database) -> None:
    """Each pooled SQLite connection has ``secure_delete`` on (1)."""
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_an_authors_withdrawal_leaves_no_text_in_the_files(
    client: FlaskClient, db: Database
) -> None:
    """``DELETE /api/v1/comments/<id>`` (the author's own withdrawal) erases the comment and
    checkpoints the log: its text is in neither file afterwards."""
    body = post(client, email=EMAIL, text=LONG).get_json()
    assert MARKER.encode() in _files(db)
    rv = client.delete(
        f"/api/v1/comments/{body['id']}", headers={"Moderato-Edit-Token": body["edit_token"]}
    )
    assert rv.status_code == 200 and rv.get_json()["rejection"] == "withdrawn"
    assert MARKER.encode() not in _files(db)


def test_the_checkpoint_gives_up_quickly_behind_a_reader_and_writers_go_on(
    db: Database,
) -> None:
    """A reader holding an older snapshot keeps the log from being truncated: the checkpoint
    answers ``busy`` after a few short waits (about a second, not the 30 s busy timeout),
    and a write made meanwhile is not kept waiting behind it; once the reader is done, the
    next checkpoint truncates the log."""
    stored(db, email=EMAIL, text="before the reader")
    reader = sqlite3.connect(_path(db), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM comments").fetchone()  # its snapshot starts here
    stored(db, email=EMAIL, text="after the reader's snapshot")

    waits: list[float] = []

    def write() -> None:
        time.sleep(0.05)  # while the checkpoint waits
        started = time.monotonic()
        stored(db, email="other@example.org", text="a comment meanwhile")
        waits.append(time.monotonic() - started)

    writer = threading.Thread(target=write)
    started = time.monotonic()
    writer.start()
    result = privacy.checkpoint(db)
    took = time.monotonic() - started
    writer.join()
    assert result is not None and result.busy
    tries = CHECKPOINT_TRIES
    assert took < tries * 2 * CHECKPOINT_WAIT_MS / 1000 + 1.0
    assert waits and waits[0] < 1.0, waits

    reader.execute("COMMIT")
    reader.close()
    done = privacy.checkpoint(db)
    assert done is not None and not done.busy
    wal = _path(db).with_name(_path(db).name + "-wal")
    assert wal.stat().st_size == 0
    with db.engine.connect() as conn:  # the connection's own busy timeout is back
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
