"""`moderato db backup` / `db restore` on real SQLite files: a backup taken while the
database has uncheckpointed commits holds them, and a restore after a crash is the backup,
not the backup with the crashed database's leftover -wal replayed on top (what
`cp backup.db moderato.db` gave; found in review)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import worker_env
from tests.test_settings_startup import BIN


def moderato(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "moderato"), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [x for (x,) in con.execute("SELECT x FROM probe ORDER BY x")]
    finally:
        con.close()


def crash_after_writing(path: Path, sql: str) -> None:
    """Commit ``sql`` in another process that dies without closing: its -wal stays behind."""
    code = (
        "import os, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1])\n"
        "con.execute('PRAGMA wal_autocheckpoint=0')\n"
        "con.executescript(sys.argv[2])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), sql], check=True, timeout=60)


@pytest.fixture
def live(settings: dict[str, Any]) -> Path:
    path = Path(settings["DATABASE_URL"].removeprefix("sqlite:///"))
    crash_after_writing(path, "CREATE TABLE probe (x TEXT); INSERT INTO probe VALUES ('kept');")
    return path


def test_backup_holds_uncheckpointed_commits_and_is_one_file(
    settings: dict[str, Any], live: Path, tmp_path: Path
) -> None:
    """The last commit is still only in moderato.db-wal; the backup has it, in one file."""
    assert Path(f"{live}-wal").stat().st_size > 0
    dest = tmp_path / "backup.db"
    result = moderato(["db", "backup", str(dest)], worker_env(settings))
    assert result.returncode == 0, result.stderr
    assert rows(dest) == ["kept"]
    assert not Path(f"{dest}-wal").exists()
    con = sqlite3.connect(dest)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert con.execute("SELECT count(*) FROM sites WHERE slug = 'default'").fetchone() == (1,)
    con.close()
    again = moderato(["db", "backup", str(dest)], worker_env(settings))
    assert again.returncode == 1 and "exists" in again.stderr


def test_restore_after_a_crash_does_not_replay_the_old_wal(
    settings: dict[str, Any], live: Path, tmp_path: Path
) -> None:
    """After the backup, more is written and the process crashes (its -wal stays); the
    restore gives exactly the backup, and reopening the database changes nothing."""
    env = worker_env(settings)
    dest = tmp_path / "backup.db"
    assert moderato(["db", "backup", str(dest)], env).returncode == 0
    crash_after_writing(live, "UPDATE probe SET x = 'changed'; INSERT INTO probe VALUES ('late');")
    assert Path(f"{live}-wal").stat().st_size > 0

    refused = moderato(["db", "restore", str(dest)], env)  # asks first; no answer: no
    assert refused.returncode != 0 and rows(live) == ["changed", "late"]

    result = moderato(["db", "restore", str(dest), "--yes"], env)
    assert result.returncode == 0, result.stderr
    assert "moderato db upgrade" in result.stdout
    assert rows(live) == ["kept"]
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0
    current = moderato(["db", "current"], env)  # opens it as moderato does
    assert current.returncode == 0, current.stderr
    assert rows(live) == ["kept"]


def test_backup_refuses_postgresql_with_one_line(settings: dict[str, Any]) -> None:
    """The commands handle SQLite; PostgreSQL has its own tools."""
    env = {**worker_env(settings), "DATABASE_URL": "postgresql+psycopg://u:p@127.0.0.1:9/x"}
    result = moderato(["db", "backup", "/tmp/never.db"], env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: db backup and db restore handle SQLite files; for PostgreSQL use pg_dump "
        "and pg_restore"
    )
