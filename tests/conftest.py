"""Fixtures built from the factory, on real services: an embedded Valkey server
(started once per session) and a fresh SQLite file per test, migrated by Alembic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service import sites as site_ops
from service.embedded_redis import EmbeddedRedis
from service.store import Database
from service.store.migrate import upgrade
from tests.helpers import wait_for
from tests.mail_server import MailServer

ROOT = Path(__file__).resolve().parent.parent
# A developer's .env in the checkout (copied from .env.example for `make run`) must not
# reach the tests or the processes they start; tests/test_env_file.py reads one on purpose.
os.environ["MODERATO_ENV_FILE"] = ""
SECRET = "test-secret-key-not-for-production"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A real Valkey server for the whole session."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("valkey")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    """The session server's URL, emptied before each test."""
    with redis_lib.from_url(redis_server.url) as conn:  # closed now, not by the collector
        conn.flushall()
    return redis_server.url


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1, collecting what it gets."""
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once, copied for each test."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        site_ops.ensure_default(session)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def database_url(db_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "moderato.db"
    shutil.copyfile(db_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    """Settings shared by the test app and any worker process it starts."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": SECRET,
        "ENV": "testing",
        "SWEEP_INTERVAL": 0.5,
        "SWEEP_AGE": 1,
        "CLASSIFY_RETRY_INTERVALS": [1, 1],
        "SQLITE_SYNCHRONOUS": "NORMAL",
        # Tests post many comments from one address; tests/service/test_intake.py checks
        # the browser limit itself at its default.
        "ANON_RATE_PER_MINUTE": 100_000,
        "ANON_RATE_BURST": 10_000,
    }


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Flask]:
    """The app, built by the factory, on this test's database and the session's Redis."""
    application = create_app({**settings, "TESTING": True})
    yield application
    application.extensions["moderato.db"].dispose()
    application.extensions["moderato.redis"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Database:
    """The test app's database."""
    return app.extensions["moderato.db"]  # type: ignore[no-any-return]


def worker_env(settings: dict[str, Any]) -> dict[str, str]:
    """Return the environment for a worker process using ``settings``."""
    env = dict(os.environ)
    for name, value in settings.items():
        if name in ("DATABASE_URL", "REDIS_URL"):
            env[name] = str(value)
        else:
            env[f"MODERATO_{name}"] = (
                value if isinstance(value, str) else repr(value).replace("'", '"')
            )
    return env


@pytest.fixture
def start_worker(
    settings: dict[str, Any], tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start real worker processes (``python -m worker``); all are killed at teardown."""
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[Any] = []

    def start(*args: str, extra: dict[str, Any] | None = None) -> subprocess.Popen[bytes]:
        log = open(tmp_path / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115
        logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "worker", *args],
            env=worker_env({**settings, **(extra or {})}),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        with redis_lib.from_url(settings["REDIS_URL"]) as conn:  # closed here (see redis_url)
            wait_for(
                lambda: proc.poll() is not None or _worker_registered(conn, proc.pid), timeout=30
            )
        if proc.poll() is not None:
            raise RuntimeError((tmp_path / f"worker-{len(procs) - 1}.log").read_text())
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
    for log in logs:
        log.close()


def _worker_registered(conn: redis_lib.Redis, pid: int) -> bool:
    from rq import Worker

    return any(w.pid == pid for w in Worker.all(connection=conn))
