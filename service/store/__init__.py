"""The database layer: the engine and session factory (``Database``) and the schema (``tables``).

Failure mode: when the database is down, intake answers 503 and accepts
nothing (a comment we cannot store is not accepted); the worker's jobs raise
and RQ retries them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import FromClause

#: How long an SQLite connection waits for a lock before "database is locked".
BUSY_TIMEOUT_MS = 30_000


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs.update(pool_size=5, max_overflow=10)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            if sqlite_synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
                raise ValueError(f"bad SQLITE_SYNCHRONOUS: {sqlite_synchronous!r}")
            _tune_sqlite(self.engine, sqlite_synchronous)
            self.engine.dialect.statement_compiler = _SQLiteHints
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        with self.Session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def schema_version(self) -> str | None:
        """Return the database's migration revision, or None before ``db upgrade``."""
        with self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # no alembic_version table: the schema was never created
                return None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class _SQLiteHints(SQLiteCompiler):
    """SQLite's compiler, writing a table's ``with_hint(table, "INDEXED BY ix", "sqlite")``
    after its name (SQLAlchemy renders table hints for other databases only). SQLite plans
    without statistics unless someone runs ``ANALYZE``, so a small partial index can lose to
    a wider one that reads far more rows (``service.moderation.queries.using_index``)."""

    def get_from_hint_text(self, table: FromClause, text: str | None) -> str | None:
        return text


def _tune_sqlite(engine: Engine, synchronous: str) -> None:
    """Use WAL, a busy timeout, foreign keys and ``secure_delete`` on every SQLite
    connection. ``secure_delete`` overwrites what a change removes (an updated row's old
    cell, a freed overflow page) with zeros: without it an erased comment's text stays in
    the database file's free space, readable by anyone with the file or a backup of it
    (docs/deploy.md, "Privacy requests"; its cost: bench/bench_secure_delete.py)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
